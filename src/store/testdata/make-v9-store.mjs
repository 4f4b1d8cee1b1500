// Made src/store/testdata/v9-store.db with the store as of commit 1c8461d (migrations up to
// 0009_jobs, before the resolved range became the single truth). Kept as the record of what the
// fixture holds; it calls that commit's synchronous API, so run it from a checkout of 1c8461d:
//   node --import ./src/store/testdata/register-ts.mjs src/store/testdata/make-v9-store.mjs OUT.db
import { readFileSync } from 'node:fs';
import { deepFreeze, loadRawRange, resolveRange } from '../../model/index.js';
import { JobsRepo, createUserWithToken, hashToken, issueToken, openStore } from '../index.js';

const out = process.argv[2];
const store = openStore({ path: out });
const ex = (f) => readFileSync(new URL(`../../../examples/${f}`, import.meta.url), 'utf8');
const deployed = (source, instance, owner = null) =>
  store.createRange({ resolved: resolveRange(loadRawRange(source), { instance }), source, kind: 'range', status: 'running', owner });

// corp: a multi-homed firewall, a dhcp network, a dhcp host; then NICs added and removed as `nic add/rm` did.
const corp = deployed(ex('firewall.yaml'), 'corp-a', 'ines');
store.addInterface('corp-a', 'web', 'lan');
store.addInterface('corp-a', 'ws2', 'dmz', '10.0.2.77');
store.addInterface('corp-a', 'attacker', 'dmz');
store.removeInterface('corp-a', 'attacker', 'dmz');
store.updateRange('corp-a', (r) => ({
  range: deepFreeze({
    ...r,
    hosts: r.hosts.map((h) =>
      h.name === 'fw'
        ? { ...h, interfaces: h.interfaces.map((n) => (n.network === 'wan' ? { ...n, rateLimit: { ingressMbps: 10, egressMbps: 5, burstKb: 64 } } : n)) }
        : h,
    ),
  }),
  result: null,
}));
store.allocateUplinkSlot(corp.id);
// two-tier twice (same subnets and addresses in two instances), one moved to vsock.
const tt = deployed(ex('two-tier.yaml'), 'tt-1', 'ines');
deployed(ex('two-tier.yaml'), 'tt-2');
store.releaseHostInterfaces('tt-2', 'client');
store.updateRange('tt-2', (r) => ({
  range: deepFreeze({ ...r, hosts: r.hosts.map((h) => (h.name === 'client' ? { ...h, network: { mode: 'vsock' } } : h)) }),
  result: null,
}));
store.setRangeStatus('tt-2', 'failed');
// A legacy single-NIC blueprint and a planned one with reserved addresses.
deployed(ex('legacy-single-nic.json'), 'legacy-1');
const reserved = `name: resv
networks:
  - { name: n1, subnet: 10.9.0.0/24, reserved: [10.9.0.10-10.9.0.12, 10.9.0.20] }
vms:
  - { name: a, interfaces: [{ network: n1 }] }
  - { name: b, interfaces: [{ network: n1 }, ] }
`;
store.createRange({ resolved: resolveRange(loadRawRange(reserved)), source: reserved, kind: 'range', status: 'planned' });

// Users, tokens, blueprints, assignments.
const admin = await createUserWithToken(store.access, 'admin', 'admin');
const ines = await createUserWithToken(store.access, 'ines', 'instructor', 'pw-ines');
const stu = await createUserWithToken(store.access, 'sam', 'student', 'pw-sam', { expiresInS: 86400 * 365 * 50 });
issueToken(store.access, admin.user.id, { label: 'prometheus', scope: 'metrics' });
store.access.addToken(ines.user.id, hashToken('cyr_expired'), 'old', { expiresAt: '2020-01-01T00:00:00.000Z' });
store.access.addToken(stu.user.id, hashToken('cyr_fixture_student'), 'known');
store.access.createBlueprint('two-tier', ex('two-tier.yaml'), 'ines');
store.access.createBlueprint('corp', ex('firewall.yaml'), 'admin');
store.access.assign('tt-1', stu.user.id);
store.access.assign('corp-a', stu.user.id);

// A pool of two copies, one assigned.
store.pools.create({ name: 'lab', owner: 'ines', source: ex('two-tier.yaml'), studentReset: true });
for (const [i, name] of ['lab-1', 'lab-2'].entries()) {
  deployed(ex('two-tier.yaml'), name, 'ines');
  store.pools.setMember('lab', { instance: name, position: i, student: i === 0 ? 'sam' : null });
}

// Jobs: one finished with events, one failed, one still marked running.
const jobs = new JobsRepo(store.conn);
jobs.create({ id: 'job-1', op: 'deploy', instance: 'tt-1', owner: 'ines', startedAt: '2026-11-30T10:00:00.000Z', server: { pid: 4242, start: '123456' } });
jobs.addEvent('job-1', 0, { type: 'step', name: 'netns', status: 'done' });
jobs.addEvent('job-1', 1, { type: 'step', name: 'hosts', status: 'done' });
jobs.finish('job-1', { status: 'succeeded', result: { instance: 'tt-1' }, error: null, finishedAt: '2026-11-30T10:00:03.000Z', durationMs: 3000 });
jobs.create({ id: 'job-2', op: 'destroy', instance: 'gone', owner: 'admin', startedAt: '2026-11-30T11:00:00.000Z', server: null });
jobs.finish('job-2', { status: 'failed', result: null, error: { code: 'CYR_NOT_FOUND', message: 'no range instance "gone"' }, finishedAt: '2026-11-30T11:00:01.000Z', durationMs: 1000 });
jobs.create({ id: 'job-3', op: 'deploy', instance: 'corp-a', owner: 'ines', startedAt: '2026-11-30T12:00:00.000Z', server: { pid: 4343, start: '99' } });
jobs.link('job-3', 'job-2');

void tt;
store.conn.pragma('wal_checkpoint(TRUNCATE)');
store.conn.exec('PRAGMA journal_mode = DELETE');
store.close();
console.log(`wrote ${out}`);
