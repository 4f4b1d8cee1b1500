import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw } from '../../test/store-backend.js';
import { type Store, openStore } from './store.js';
import { hashToken } from './tokens.js';

// A copy of a store made by the code before 0010 (testdata/make-v9-store.mjs), opened by this code.
const FIXTURE = resolve(import.meta.dirname, 'testdata/v9-store.db');
const dir = mkdtempSync(join(tmpdir(), 'cyrange-v9-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = Record<string, unknown>;
/** The facts as the old schema holds them, read straight from the fixture. */
function oldFacts() {
  const db = new Database(FIXTURE, { readonly: true });
  const q = (sql: string) => db.prepare(sql).all() as Row[];
  const facts = {
    ranges: q('SELECT instance, blueprint_name, blueprint_source, kind, status, owner, created_at, resolved_json FROM ranges ORDER BY id'),
    nics: q(`SELECT r.instance, h.name AS host, n.name AS network, n.subnet, v.ip_address, v.mac, v.ifname, v.peer, v.addressing,
             v.is_primary, v.position FROM vm_networks v JOIN hosts h ON h.id = v.host_id JOIN networks n ON n.id = v.network_id
             JOIN ranges r ON r.id = h.range_id ORDER BY r.id, h.id, v.position`),
    hosts: q('SELECT r.instance, h.name, h.runtime, h.mode, h.ip_address FROM hosts h JOIN ranges r ON r.id = h.range_id ORDER BY h.id'),
    uplinks: q('SELECT r.instance, u.slot FROM uplinks u JOIN ranges r ON r.id = u.range_id'),
    users: q('SELECT id, name, role, password_hash FROM users ORDER BY id'),
    tokens: q(
      'SELECT t.id, u.name AS user, t.token_hash, t.label, t.scope, t.expires_at FROM tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id',
    ),
    blueprints: q('SELECT name, source, owner FROM blueprints ORDER BY id'),
    assignments: q(
      'SELECT r.instance, u.name FROM range_assignments a JOIN ranges r ON r.id = a.range_id JOIN users u ON u.id = a.user_id ORDER BY r.instance',
    ),
    pools: q('SELECT * FROM pools'),
    members: q('SELECT * FROM pool_members ORDER BY position'),
    jobs: q('SELECT * FROM jobs ORDER BY id'),
    events: q('SELECT * FROM job_events ORDER BY job_id, seq'),
  };
  db.close();
  return facts;
}

describe('a store made before 0010, opened by this code', () => {
  const old = oldFacts();
  const path = join(dir, 'cyrange.db');
  copyFileSync(FIXTURE, path);
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ path });
  });
  afterAll(() => store.close());

  it('keeps every range with its document, and the rows agree with it', async () => {
    const recs = await store.listRanges();
    expect(recs.map((r) => [r.instance, r.resolved.name, r.source, r.kind, r.status, r.owner, r.createdAt])).toEqual(
      old.ranges.map((r) => [r.instance, r.blueprint_name, r.blueprint_source, r.kind, r.status, r.owner, r.created_at]),
    );
    // The JSON was already whole for these ranges: the document is the same facts.
    for (const [i, r] of recs.entries()) expect(r.resolved).toEqual(JSON.parse(old.ranges[i]?.resolved_json as string));
    const fromDoc = recs.flatMap((r) =>
      r.resolved.hosts.flatMap((h) =>
        h.interfaces.map((n, position) => ({
          instance: r.instance,
          host: h.name,
          network: n.network,
          subnet: r.resolved.networks.find((x) => x.name === n.network)?.subnet,
          ip_address: n.ip,
          mac: n.mac,
          ifname: n.ifname,
          peer: n.peer,
          addressing: n.addressing,
          is_primary: n.primary ? 1 : 0,
          position,
        })),
      ),
    );
    expect(fromDoc).toEqual(old.nics);
    const rows = [];
    for (const r of recs)
      for (const { is_primary, ...x } of await store.listInterfaces(r.instance))
        rows.push({ instance: r.instance, ...x, is_primary: is_primary ? 1 : 0 });
    expect(rows).toEqual(old.nics);
    // Facts only the document held survive: a rate limit, a vsock move.
    const corp = recs.find((r) => r.instance === 'corp-a')?.resolved;
    expect(corp?.hosts.find((h) => h.name === 'fw')?.interfaces.find((n) => n.network === 'wan')?.rateLimit).toEqual({
      ingressMbps: 10,
      egressMbps: 5,
      burstKb: 64,
    });
    const client = recs.find((r) => r.instance === 'tt-2')?.resolved.hosts.find((h) => h.name === 'client');
    expect([client?.network.mode, client?.interfaces]).toEqual(['vsock', []]);
    expect(await store.uplinkSlotOf(recs.find((r) => r.instance === 'corp-a')?.id as number)).toBe(old.uplinks[0]?.slot);
    // The deprecated columns are the primary NIC's.
    const hosts = await raw(
      store,
      'SELECT r.instance, h.name, h.runtime, h.mode, h.ip_address FROM hosts h JOIN ranges r ON r.id = h.range_id ORDER BY h.id',
    );
    expect(hosts).toEqual(old.hosts);
  });

  it('keeps users, tokens, blueprints, assignments, pools and jobs', async () => {
    expect((await store.access.listUsers()).map((u) => [u.id, u.name, u.role])).toEqual(old.users.map((u) => [u.id, u.name, u.role]));
    for (const u of old.users) expect((await store.access.userByName(u.name as string))?.passwordHash).toBe(u.password_hash);
    expect((await store.access.listTokens()).map((t) => [t.id, t.user, t.label, t.scope, t.expiresAt])).toEqual(
      old.tokens.map((t) => [t.id, t.user, t.label, t.scope, t.expires_at]),
    );
    expect((await store.access.userByTokenHash(hashToken('cyr_fixture_student')))?.name).toBe('sam');
    expect(await store.access.tokenByHash(hashToken('cyr_expired'))).toBeNull();
    expect((await store.access.listBlueprints()).map((b) => [b.name, b.source, b.owner])).toEqual(
      old.blueprints.map((b) => [b.name, b.source, b.owner]),
    );
    const sam = await store.access.userByName('sam');
    expect(await store.access.assignedInstances(sam?.id as number)).toEqual(old.assignments.map((a) => a.instance));
    const lab = await store.pools.get('lab');
    expect(lab).toMatchObject({ owner: 'ines', studentReset: true, source: old.pools[0]?.source });
    expect(lab?.members).toEqual(old.members.map((m) => ({ instance: m.instance, position: m.position, student: m.student })));
    expect((await store.pools.poolOf('lab-2'))?.name).toBe('lab');
    const jobs = store.jobs;
    expect(await Promise.all(old.jobs.map((j) => jobs.get(j.id as string)))).toEqual([
      expect.objectContaining({
        id: 'job-1',
        status: 'succeeded',
        result: { instance: 'tt-1' },
        durationMs: 3000,
        server: { pid: 4242, start: '123456' },
      }),
      expect.objectContaining({ id: 'job-2', status: 'failed', error: { code: 'CYR_NOT_FOUND', message: 'no range instance "gone"' } }),
      expect.objectContaining({ id: 'job-3', status: 'running', reconcileJob: 'job-2' }),
    ]);
    expect(await jobs.events('job-1')).toEqual(old.events.map((e) => JSON.parse(e.event_json as string)));
    expect(await jobs.repairedBy('job-2')).toEqual(['job-3']);
  });

  it('leaves the ranges editable through the one write path', async () => {
    // corp-a's lan has .10 (ws2) and .11 (web) leased, .2 is fw's: the next auto address is .12.
    expect((await store.addInterface('corp-a', 'attacker', 'lan')).ip).toBe('10.0.1.12');
    expect((await store.removeInterface('corp-a', 'ws2', 'dmz')).ip).toBe('10.0.2.77');
    expect((await store.addInterface('corp-a', 'attacker', 'dmz', '10.0.2.77')).ip).toBe('10.0.2.77');
    await expect(store.addInterface('tt-2', 'client', 'lan')).rejects.toThrow(/vsock mode/);
    // The reserved 10.9.0.10-12 and .20 stay out of auto-assignment.
    expect((await store.getRange('resv'))?.resolved.hosts.map((h) => h.interfaces[0]?.ip)).toEqual(['10.9.0.13', '10.9.0.14']);
    expect((await store.listRanges()).find((r) => r.instance === 'legacy-1')?.resolved.hosts.map((h) => h.interfaces[0]?.ip)).toEqual([
      '192.168.50.5',
      '192.168.50.10',
    ]);
  });
});
