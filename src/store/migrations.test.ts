import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SqliteConnection, openConnection } from './db.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { Store, openStore } from './store.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cyrange-migrations-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tables = (conn: SqliteConnection) =>
  (conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

/** A store as the first schema left it: one network and one address per host, no junction. */
function legacyStore(dir: string): SqliteConnection {
  const conn = openConnection({ stateDir: dir });
  expect(migrate(conn, '0001_initial')).toEqual(['0001_initial']);
  expect(tables(conn)).not.toContain('vm_networks');
  const resolved = JSON.stringify({ networks: [{ name: 'lan', reserved: ['10.0.1.10-10.0.1.19'] }] });
  conn
    .prepare(
      "INSERT INTO ranges (instance, blueprint_name, blueprint_source, resolved_json, kind, status, created_at, updated_at) VALUES ('old', 'old', '', ?, 'range', 'running', '', '')",
    )
    .run(resolved);
  const net = conn.prepare('INSERT INTO networks (range_id, name, subnet, gateway, bridge) VALUES (1, ?, ?, ?, ?)');
  net.run('lan', '10.0.1.0/24', '10.0.1.1', 'br-lan');
  net.run('dmz', '10.0.2.0/24', '10.0.2.1', 'br-dmz');
  const host = conn.prepare(
    "INSERT INTO hosts (range_id, name, runtime, mode, spec_json, network_id, ip_address) VALUES (1, ?, 'netns', ?, '{}', ?, ?)",
  );
  host.run('a', 'bridged', 1, '10.0.1.5');
  host.run('b', 'dhcp', 1, null);
  host.run('c', 'vsock', null, null);
  host.run('d', 'bridged', 2, '10.0.2.7');
  return conn;
}

describe('migrations', () => {
  it('give every legacy single-NIC host exactly one primary vm_networks row with its address', () => {
    const dir = tempDir();
    legacyStore(dir).close();
    const store = openStore({ stateDir: dir });
    const rows = store.conn
      .prepare(
        `SELECT h.name, n.name AS network, v.ip_address, v.is_primary, v.addressing, v.position
         FROM vm_networks v JOIN hosts h ON h.id = v.host_id JOIN networks n ON n.id = v.network_id ORDER BY h.name`,
      )
      .all();
    expect(rows).toEqual([
      { name: 'a', network: 'lan', ip_address: '10.0.1.5', is_primary: 1, addressing: 'static', position: 0 },
      { name: 'b', network: 'lan', ip_address: null, is_primary: 1, addressing: 'dhcp', position: 0 },
      { name: 'd', network: 'dmz', ip_address: '10.0.2.7', is_primary: 1, addressing: 'static', position: 0 },
    ]);
    // Every legacy host with a network: one primary whose address is the legacy column's.
    const legacy = store.conn
      .prepare(
        `SELECT h.name, h.ip_address, (SELECT count(*) FROM vm_networks v WHERE v.host_id = h.id AND v.is_primary = 1) AS primaries,
                (SELECT ip_address FROM vm_networks v WHERE v.host_id = h.id AND v.is_primary = 1) AS primary_ip
         FROM hosts h WHERE h.network_id IS NOT NULL`,
      )
      .all() as Array<{ ip_address: string | null; primaries: number; primary_ip: string | null }>;
    expect(legacy).toHaveLength(3);
    for (const h of legacy) expect([h.primaries, h.primary_ip]).toEqual([1, h.ip_address]);
    expect(store.conn.prepare("SELECT reserved_json FROM networks WHERE name = 'lan'").get()).toEqual({
      reserved_json: '["10.0.1.10-10.0.1.19"]',
    });
    store.close();
  });

  it('leave a legacy range editable from its rows alone', () => {
    const dir = tempDir();
    legacyStore(dir).close();
    const store = openStore({ stateDir: dir });
    // 10.0.1.10-19 is reserved (backfilled by 0005) and 10.0.1.5 is a's: the lowest free is .20.
    expect(store.addInterface('old', 'd', 'lan')).toMatchObject({ ip: '10.0.1.20', ifname: 'eth1', primary: false });
    expect(store.addInterface('old', 'a', 'dmz').ip).toBe('10.0.2.10');
    expect(() => store.addInterface('old', 'c', 'lan')).toThrow(/vsock mode/);
    expect(() => store.removeInterface('old', 'a', 'lan')).toThrow(/primary/);
    store.close();
  });

  it('are recorded and not applied twice', () => {
    const dir = tempDir();
    openStore({ stateDir: dir }).close();
    const conn = openConnection({ stateDir: dir });
    expect(migrate(conn)).toEqual([]);
    expect((conn.prepare('SELECT name FROM schema_migrations ORDER BY name').all() as Array<{ name: string }>).map((r) => r.name)).toEqual(
      MIGRATIONS.map((m) => m.name),
    );
    conn.close();
  });

  it('have ordered, unique, numbered names', () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(names.slice(0, 3)).toEqual(['0001_initial', '0002_vm_networks', '0003_uplinks']);
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^\d{4}_[a-z0-9_]+$/);
  });

  it('refuse an unknown target before applying anything', () => {
    const conn = openConnection({ path: ':memory:' });
    expect(() => migrate(conn, '0099_nope')).toThrow(/unknown migration "0099_nope"/);
    expect(tables(conn)).toEqual([]);
    new Store(conn).close();
  });
});
