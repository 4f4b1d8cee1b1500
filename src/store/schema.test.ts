import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ON_PG, count, dropTestStores, raw, testStore } from '../../test/store-backend.js';
import { loadRawRange, resolveRange } from '../model/index.js';
import type { Store } from './store.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});
afterAll(dropTestStores);

/** The refusal as SQLite words it, or as PostgreSQL does (constraint names). */
const refusal = (sqlite: RegExp, pg: RegExp) => (ON_PG ? pg : sqlite);

async function corp(): Promise<Store> {
  const source = readFileSync(join(EXAMPLES, 'firewall.yaml'), 'utf8');
  const s = await testStore();
  await s.createRange({ resolved: resolveRange(loadRawRange(source)), source, kind: 'range', status: 'running' });
  store = s;
  return s;
}

const NIC = 'INSERT INTO vm_networks (host_id, network_id, ip_address, is_primary, created_at)';
const host = (name: string) => `(SELECT id FROM hosts WHERE name = '${name}')`;
const net = (name: string) => `(SELECT id FROM networks WHERE name = '${name}')`;

describe('the schema', () => {
  it.each([
    [
      'a duplicate (host, network)',
      `${NIC} VALUES (${host('web')}, ${net('dmz')}, '10.0.2.200', 0, '')`,
      refusal(/UNIQUE.*host_id, vm_networks.network_id/, /vm_networks_host_network/),
    ],
    [
      'a duplicate (network, ip)',
      `${NIC} VALUES (${host('web')}, ${net('wan')}, '10.0.0.2', 0, '')`,
      refusal(/UNIQUE.*network_id, vm_networks.ip_address/, /vm_networks_network_ip/),
    ],
    [
      'a second primary on one host',
      `UPDATE vm_networks SET is_primary = 1 WHERE host_id = ${host('fw')} AND position = 1`,
      refusal(/UNIQUE.*host_id/, /vm_networks_one_primary/),
    ],
    [
      'a second primary by insert',
      `${NIC} VALUES (${host('web')}, ${net('lan')}, '10.0.1.99', 1, '')`,
      refusal(/UNIQUE.*host_id/, /vm_networks_one_primary/),
    ],
    ['a NIC on a missing network', `${NIC} VALUES (${host('web')}, 999, '10.9.9.9', 0, '')`, refusal(/FOREIGN KEY/, /foreign key/)],
    ['a NIC of a missing host', `${NIC} VALUES (999, ${net('lan')}, '10.0.1.99', 0, '')`, refusal(/FOREIGN KEY/, /foreign key/)],
    [
      'a duplicate network name in a range',
      "INSERT INTO networks (range_id, name, subnet, gateway, bridge) VALUES (1, 'lan', '10.9.0.0/24', '10.9.0.1', 'br-x')",
      refusal(/UNIQUE.*networks.range_id, networks.name/, /networks_range_name/),
    ],
    [
      'a duplicate host name in a range',
      "INSERT INTO hosts (range_id, name, runtime, mode) VALUES (1, 'web', 'netns', 'bridged')",
      refusal(/UNIQUE.*hosts.range_id, hosts.name/, /hosts_range_name/),
    ],
    [
      'a second uplink row for a range',
      'INSERT INTO uplinks (range_id, slot) VALUES (1, 0), (1, 1)',
      refusal(/UNIQUE.*uplinks.range_id/, /uplinks_range_id/),
    ],
  ])('refuses %s', async (_what, sql, err) => {
    const s = await corp();
    await expect(raw(s, sql)).rejects.toThrow(err);
  });

  it.each([
    [
      'several dhcp NICs without an address on one network',
      `${NIC} VALUES (${host('ws2')}, ${net('wan')}, NULL, 0, ''), (${host('web')}, ${net('wan')}, NULL, 0, '')`,
    ],
    ['one address on two networks', `${NIC} VALUES (${host('web')}, ${net('wan')}, '10.0.2.10', 0, '')`],
    ['a non-primary NIC next to the primary', `${NIC} VALUES (${host('web')}, ${net('lan')}, '10.0.1.99', 0, '')`],
  ])('accepts %s', async (_what, sql) => {
    const s = await corp();
    await expect(raw(s, sql)).resolves.toBeDefined();
  });

  it('cascades a host delete to its NICs and a network delete to the NICs on it', async () => {
    const s = await corp();
    expect(await count(s, 'vm_networks')).toBe(7);
    await raw(s, "DELETE FROM hosts WHERE name = 'fw'");
    expect(await count(s, 'vm_networks')).toBe(4);
    await raw(s, "DELETE FROM networks WHERE name = 'wan'");
    expect(await count(s, 'vm_networks')).toBe(3);
  });
});

/** Every column of every table as `table.column` plus ` not null`, the same text on both backends. */
async function columns(s: Store): Promise<string[]> {
  const rows = ON_PG
    ? await raw<{ t: string; c: string; nn: boolean }>(
        s,
        "SELECT table_name AS t, column_name AS c, is_nullable = 'NO' AS nn FROM information_schema.columns WHERE table_schema = current_schema()",
      )
    : await raw<{ t: string; c: string; nn: number }>(
        s,
        "SELECT m.name AS t, p.name AS c, (p.\"notnull\" OR p.pk > 0) AS nn FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
      );
  return rows.map((r) => `${r.t}.${r.c}${r.nn ? ' not null' : ''}`).sort();
}

describe('the migrated schema', () => {
  it('has the same tables, columns and NOT NULLs on SQLite and PostgreSQL', async () => {
    const s = await corp();
    expect(await columns(s)).toMatchSnapshot();
  });
});
