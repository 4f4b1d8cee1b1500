import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ON_PG, dropTestStores, freshLocation, raw } from '../../test/store-backend.js';
import { type Backend, openPostgres, openSqlite } from './db.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { openStore } from './store.js';

const TESTDATA = resolve(import.meta.dirname, 'testdata');
afterAll(dropTestStores);

async function backend() {
  const loc = await freshLocation();
  return { loc, b: 'url' in loc ? openPostgres(loc.url) : openSqlite(loc) };
}

const tables = async (b: Backend) =>
  (
    await raw<{ name: string }>(
      b,
      ON_PG
        ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name'
        : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    )
  ).map((r) => r.name);

/** A store as the first schema left it: one network and one address per host, no junction. */
async function legacyStore() {
  const { loc, b } = await backend();
  expect(await migrate(b, '0001_initial')).toEqual(['0001_initial']);
  expect(await tables(b)).not.toContain('vm_networks');
  const resolved = JSON.stringify({ networks: [{ name: 'lan', reserved: ['10.0.1.10-10.0.1.19'] }] });
  await raw(
    b,
    `INSERT INTO ranges (instance, blueprint_name, blueprint_source, resolved_json, kind, status, created_at, updated_at) VALUES ('old', 'old', '', '${resolved}', 'range', 'running', '', '')`,
  );
  for (const [name, subnet, gw] of [
    ['lan', '10.0.1.0/24', '10.0.1.1'],
    ['dmz', '10.0.2.0/24', '10.0.2.1'],
  ])
    await raw(
      b,
      `INSERT INTO networks (range_id, name, subnet, gateway, bridge) VALUES (1, '${name}', '${subnet}', '${gw}', 'br-${name}')`,
    );
  for (const [name, mode, net, ip] of [
    ['a', 'bridged', '1', "'10.0.1.5'"],
    ['b', 'dhcp', '1', 'NULL'],
    ['c', 'vsock', 'NULL', 'NULL'],
    ['d', 'bridged', '2', "'10.0.2.7'"],
  ])
    await raw(
      b,
      `INSERT INTO hosts (range_id, name, runtime, mode, spec_json, network_id, ip_address) VALUES (1, '${name}', 'netns', '${mode}', '{}', ${net}, ${ip})`,
    );
  await b.db.destroy();
  return loc;
}

describe('migrations', () => {
  it('give every legacy single-NIC host exactly one primary vm_networks row with its address', async () => {
    const store = await openStore(await legacyStore());
    const rows = await raw(
      store,
      `SELECT h.name, n.name AS network, v.ip_address, v.is_primary, v.addressing, v.position
       FROM vm_networks v JOIN hosts h ON h.id = v.host_id JOIN networks n ON n.id = v.network_id ORDER BY h.name`,
    );
    expect(rows).toEqual([
      { name: 'a', network: 'lan', ip_address: '10.0.1.5', is_primary: 1, addressing: 'static', position: 0 },
      { name: 'b', network: 'lan', ip_address: null, is_primary: 1, addressing: 'dhcp', position: 0 },
      { name: 'd', network: 'dmz', ip_address: '10.0.2.7', is_primary: 1, addressing: 'static', position: 0 },
    ]);
    // Every legacy host with a network: one primary whose address is the legacy column's.
    const legacy = await raw<{ ip_address: string | null; primaries: number | string; primary_ip: string | null }>(
      store,
      `SELECT h.name, h.ip_address, (SELECT count(*) FROM vm_networks v WHERE v.host_id = h.id AND v.is_primary = 1) AS primaries,
              (SELECT ip_address FROM vm_networks v WHERE v.host_id = h.id AND v.is_primary = 1) AS primary_ip
       FROM hosts h WHERE h.network_id IS NOT NULL`,
    );
    expect(legacy).toHaveLength(3);
    for (const h of legacy) expect([Number(h.primaries), h.primary_ip]).toEqual([1, h.ip_address]);
    expect(await raw(store, "SELECT reserved_json FROM networks WHERE name = 'lan'")).toEqual([
      { reserved_json: '["10.0.1.10-10.0.1.19"]' },
    ]);
    // 0010: the document now holds what the rows held.
    const doc = (await store.getRange('old'))?.resolved;
    expect(doc?.hosts.map((h) => [h.name, h.network.mode, h.interfaces.map((n) => n.ip)])).toEqual([
      ['a', 'bridged', ['10.0.1.5']],
      ['b', 'dhcp', [null]],
      ['c', 'vsock', []],
      ['d', 'bridged', ['10.0.2.7']],
    ]);
    await store.close();
  });

  it('leave a legacy range editable through the one write path', async () => {
    const store = await openStore(await legacyStore());
    // 10.0.1.10-19 is reserved (backfilled by 0005) and 10.0.1.5 is a's: the lowest free is .20.
    expect(await store.addInterface('old', 'd', 'lan')).toMatchObject({ ip: '10.0.1.20', ifname: 'eth1', primary: false });
    expect((await store.addInterface('old', 'a', 'dmz')).ip).toBe('10.0.2.10');
    await expect(store.addInterface('old', 'c', 'lan')).rejects.toThrow(/vsock mode/);
    await expect(store.removeInterface('old', 'a', 'lan')).rejects.toThrow(/primary/);
    await store.close();
  });

  it('are recorded and not applied twice', async () => {
    const { loc, b } = await backend();
    await (await openStore(loc)).close();
    expect(await migrate(b)).toEqual([]);
    expect((await raw<{ name: string }>(b, 'SELECT name FROM schema_migrations ORDER BY name')).map((r) => r.name)).toEqual(
      MIGRATIONS.map((m) => m.name),
    );
    await b.db.destroy();
  });

  it('run once when three processes open a new store at the same time', async () => {
    const loc = await freshLocation();
    const kids = Array.from({ length: 3 }, () =>
      spawn(process.execPath, ['--import', join(TESTDATA, 'register-ts.mjs'), join(TESTDATA, 'open-worker.mjs'), JSON.stringify(loc)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const outs = kids.map((k) => {
      let out = '';
      k.stdout.on('data', (b) => {
        out += b;
      });
      return {
        ready: new Promise<void>((res) => k.stdout.once('data', () => res())),
        done: new Promise<string>((res) => k.on('close', (code) => res(`${code} ${out}`))),
      };
    });
    await Promise.all(outs.map((o) => o.ready));
    for (const k of kids) k.stdin.end('go\n');
    expect(await Promise.all(outs.map((o) => o.done))).toEqual(Array(3).fill('0 ready\nopened\n'));
    const store = await openStore(loc);
    expect(Number((await raw<{ n: number | string }>(store, 'SELECT count(*) AS n FROM schema_migrations'))[0]?.n)).toBe(MIGRATIONS.length);
    await store.close();
  }, 60_000);

  it('have ordered, unique, numbered names', () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(names.slice(0, 3)).toEqual(['0001_initial', '0002_vm_networks', '0003_uplinks']);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^\d{4}_[a-z0-9_]+$/);
  });

  it('refuse an unknown target before applying anything', async () => {
    const { b } = await backend();
    await expect(migrate(b, '0099_nope')).rejects.toThrow(/unknown migration "0099_nope"/);
    expect(await tables(b)).toEqual([]);
    await b.db.destroy();
  });
});
