import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRawRange, resolveRange } from '../model/index.js';
import { type Store, openStore } from './store.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

function corp(): Store {
  const source = readFileSync(join(EXAMPLES, 'firewall.yaml'), 'utf8');
  const s = openStore({ path: ':memory:' });
  s.createRange({ resolved: resolveRange(loadRawRange(source)), source, kind: 'range', status: 'running' });
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
      /UNIQUE.*host_id, vm_networks.network_id/,
    ],
    [
      'a duplicate (network, ip)',
      `${NIC} VALUES (${host('web')}, ${net('wan')}, '10.0.0.2', 0, '')`,
      /UNIQUE.*network_id, vm_networks.ip_address/,
    ],
    [
      'a second primary on one host',
      `UPDATE vm_networks SET is_primary = 1 WHERE host_id = ${host('fw')} AND position = 1`,
      /UNIQUE.*host_id/,
    ],
    ['a second primary by insert', `${NIC} VALUES (${host('web')}, ${net('lan')}, '10.0.1.99', 1, '')`, /UNIQUE.*host_id/],
    ['a NIC on a missing network', `${NIC} VALUES (${host('web')}, 999, '10.9.9.9', 0, '')`, /FOREIGN KEY/],
    ['a NIC of a missing host', `${NIC} VALUES (999, ${net('lan')}, '10.0.1.99', 0, '')`, /FOREIGN KEY/],
    [
      'a duplicate network name in a range',
      "INSERT INTO networks (range_id, name, subnet, gateway, bridge) VALUES (1, 'lan', '10.9.0.0/24', '10.9.0.1', 'br-x')",
      /UNIQUE.*networks.range_id, networks.name/,
    ],
    [
      'a duplicate host name in a range',
      "INSERT INTO hosts (range_id, name, runtime, mode) VALUES (1, 'web', 'netns', 'bridged')",
      /UNIQUE.*hosts.range_id, hosts.name/,
    ],
    ['a second uplink row for a range', 'INSERT INTO uplinks (range_id, slot) VALUES (1, 0), (1, 1)', /UNIQUE.*uplinks.range_id/],
  ])('refuses %s', (_what, sql, err) => {
    const s = corp();
    expect(() => s.conn.prepare(sql).run()).toThrow(err);
  });

  it.each([
    [
      'several dhcp NICs without an address on one network',
      `${NIC} VALUES (${host('ws2')}, ${net('wan')}, NULL, 0, ''), (${host('web')}, ${net('wan')}, NULL, 0, '')`,
    ],
    ['one address on two networks', `${NIC} VALUES (${host('web')}, ${net('wan')}, '10.0.2.10', 0, '')`],
    ['a non-primary NIC next to the primary', `${NIC} VALUES (${host('web')}, ${net('lan')}, '10.0.1.99', 0, '')`],
  ])('accepts %s', (_what, sql) => {
    const s = corp();
    expect(() => s.conn.prepare(sql).run()).not.toThrow();
  });

  it('cascades a host delete to its NICs and a network delete to the NICs on it', () => {
    const s = corp();
    const n = () => (s.conn.prepare('SELECT count(*) AS n FROM vm_networks').get() as { n: number }).n;
    expect(n()).toBe(7);
    s.conn.prepare("DELETE FROM hosts WHERE name = 'fw'").run();
    expect(n()).toBe(4);
    s.conn.prepare("DELETE FROM networks WHERE name = 'wan'").run();
    expect(n()).toBe(3);
  });
});
