// Plan as a diff, deploy applies it in place: a running range changed host by host, NIC by NIC.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYRANGE, IS_ROOT, cli, inNs, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const V1 = `name: ap
networks:
  - { name: lan, subnet: 10.0.1.0/24 }
  - { name: dmz, subnet: 10.0.2.0/24 }
policies:
  - { network: dmz, direction: ingress, protocol: tcp, port: 80, action: allow, priority: 10 }
vms:
  - { name: fw, interfaces: [{ network: lan, ip: 10.0.1.2 }, { network: dmz, ip: 10.0.2.2 }] }
  - { name: web, interfaces: [{ network: dmz }] }
  - { name: ws1, interfaces: [{ network: lan }] }
  - { name: ws2, interfaces: [{ network: lan }] }
`;

/** One host added (ws3), one removed (ws2), one IP changed (fw on lan), one NIC added (web on lan), one policy changed. */
const V2 = `name: ap
networks:
  - { name: lan, subnet: 10.0.1.0/24 }
  - { name: dmz, subnet: 10.0.2.0/24 }
policies:
  - { network: dmz, direction: ingress, protocol: tcp, port: 443, action: allow, priority: 10 }
vms:
  - { name: fw, interfaces: [{ network: lan, ip: 10.0.1.3 }, { network: dmz, ip: 10.0.2.2 }] }
  - { name: web, interfaces: [{ network: dmz }, { network: lan }] }
  - { name: ws1, interfaces: [{ network: lan }] }
  - { name: ws3, interfaces: [{ network: lan }] }
`;

/** A subnet change: cannot be applied in place. */
const V3 = V2.replace('{ name: dmz, subnet: 10.0.2.0/24 }', '{ name: dmz, subnet: 10.0.5.0/24 }').replace('ip: 10.0.2.2', 'ip: 10.0.5.2');

interface InspectNic {
  network: string;
  ip: string | null;
  ifname: string;
  observed?: { ipv4: string[]; state: string } | null;
}
interface InspectHost {
  name: string;
  state: string;
  interfaces: InspectNic[];
}

describe.skipIf(!IS_ROOT)('plan is a diff; deploy applies it to the running range in place', () => {
  const state = tempStateDir();
  const inst = uniqueName('ap');
  const file = (name: string, text: string) => {
    const f = join(state.dir, name);
    writeFileSync(f, text);
    return f;
  };
  const run = (...args: string[]) => cli(args, { stateDir: state.dir });
  /** The machine-side PID of a host's sandbox (its tini), from its pid file (`PID START`). */
  const pidOf = (host: string) =>
    Number(
      readFileSync(join(state.dir, 'run', inst, `${host}.pid`), 'utf8')
        .trim()
        .split(/\s+/)[0],
    );
  const upperOf = (host: string) => join(state.dir, 'hosts', inst, host, 'upper');
  const inspect = async () => JSON.parse((await run('inspect', inst, '--json')).stdout) as { hosts: InspectHost[] };
  let pids: Record<string, number> = {};

  beforeAll(async () => {
    const r = await run('deploy', file('v1.yaml', V1), '--name', inst);
    expect(r.code, r.stderr).toBe(0);
    pids = { fw: pidOf('fw'), web: pidOf('web'), ws1: pidOf('ws1') };
    // A mark in an untouched host's own filesystem shows its upper layer survives.
    expect((await run('exec', inst, 'ws1', '--', 'sh', '-c', 'echo kept > /root/mark')).code).toBe(0);
  });
  afterAll(async () => {
    await run('destroy', inst);
    state.cleanup();
  });

  it('plan lists exactly the changes, in the order deploy applies them', async () => {
    const r = await run('plan', file('v2.yaml', V2), '--name', inst, '--json');
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { lines: string[]; changes: Array<{ kind: string }>; needs_replace: boolean };
    expect(plan.needs_replace).toBe(false);
    expect(plan.lines.map((l) => l.replace(/02(:[0-9a-f]{2}){5}/g, 'MAC'))).toEqual([
      '- host ws2',
      '~ nic fw/lan 10.0.1.2 MAC → 10.0.1.3 MAC',
      '+ nic web/lan 10.0.1.11',
      '+ host ws3',
      '~ policies (1 → 1 rules)',
    ]);
    const text = await run('plan', join(state.dir, 'v2.yaml'), '--name', inst);
    expect(text.stdout).toContain(`${inst}: 5 changes`);
    // Against an instance that is not deployed, plan is the full plan as before.
    const fresh = await run('plan', join(state.dir, 'v2.yaml'), '--name', `${inst}x`.slice(0, 24));
    expect(fresh.stdout).toMatch(/NETWORK\s+SUBNET/);
  });

  it('deploy applies them: inspect shows the new hosts, NICs and addresses live', async () => {
    const r = await run('deploy', join(state.dir, 'v2.yaml'), '--name', inst);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`changed ${inst}`);
    const got = await inspect();
    expect(got.hosts.map((h) => h.name).sort()).toEqual(['fw', 'web', 'ws1', 'ws3']);
    for (const h of got.hosts) expect(h.state, h.name).toBe('running');
    const nic = (host: string, network: string) =>
      got.hosts.find((h) => h.name === host)?.interfaces.find((n) => n.network === network) as InspectNic;
    expect(nic('fw', 'lan')).toMatchObject({ ip: '10.0.1.3', ifname: 'eth0' });
    expect(nic('fw', 'lan').observed?.ipv4).toEqual(['10.0.1.3/24']);
    expect(nic('web', 'lan')).toMatchObject({ ip: '10.0.1.11', ifname: 'eth1' });
    expect(nic('web', 'lan').observed?.ipv4).toEqual(['10.0.1.11/24']);
    expect(nic('ws3', 'lan')).toMatchObject({ ip: '10.0.1.12' });
    expect(nic('ws1', 'lan')).toMatchObject({ ip: '10.0.1.10' });
    // The store's policies are the new ones.
    const pol = JSON.parse((await run('policy', 'ls', inst, '--json')).stdout) as Array<{ ports: number[] }>;
    expect(pol.map((p) => p.ports)).toEqual([[443, 443]]);
    // ws2 is gone from the kernel too.
    const ns = (await runCmd(['ip', 'netns', 'list'])).stdout;
    expect(ns).not.toContain(`cyr_${inst}_ws2`);
    expect(ns).toContain(`cyr_${inst}_ws3`);
  });

  it('untouched and edited hosts keep running: same PID, same upper layer', async () => {
    expect({ fw: pidOf('fw'), web: pidOf('web'), ws1: pidOf('ws1') }).toEqual(pids);
    const mark = await run('exec', inst, 'ws1', '--', 'cat', '/root/mark');
    expect(mark.stdout.trim()).toBe('kept');
    expect(readFileSync(join(upperOf('ws1'), 'root', 'mark'), 'utf8').trim()).toBe('kept');
  });

  it('the changed range carries traffic: the re-addressed and the added NICs answer', async () => {
    const ping = async (from: string, ip: string) =>
      (await inNs(`cyr_${inst}_${from}`, ['ping', '-c', '1', '-W', '2', '-q', ip])).code === 0;
    expect(await ping('ws1', '10.0.1.3')).toBe(true);
    expect(await ping('ws1', '10.0.1.11')).toBe(true);
    expect(await ping('ws3', '10.0.1.10')).toBe(true);
    expect(await ping('ws1', '10.0.1.2')).toBe(false);
  });

  it('deploying the same file again changes nothing', async () => {
    const r = await run('deploy', join(state.dir, 'v2.yaml'), '--name', inst);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('up to date');
    const plan = await run('plan', join(state.dir, 'v2.yaml'), '--name', inst);
    expect(plan.stdout).toContain('nothing to change');
  });

  it('a subnet change is refused without --replace (exit 2, the field named), and nothing changes', async () => {
    const plan = JSON.parse((await run('plan', file('v3.yaml', V3), '--name', inst, '--json')).stdout) as {
      lines: string[];
      needs_replace: boolean;
    };
    expect(plan.needs_replace).toBe(true);
    expect(plan.lines[0]).toContain('! replace network dmz: networks[1].subnet 10.0.2.0/24 → 10.0.5.0/24');
    const r = await run('deploy', join(state.dir, 'v3.yaml'), '--name', inst);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('networks[1].subnet: 10.0.2.0/24 → 10.0.5.0/24 cannot be changed on the running range');
    expect(r.stderr).toContain('--replace');
    expect(pidOf('ws1')).toBe(pids.ws1);
    const got = await inspect();
    expect(got.hosts.find((h) => h.name === 'fw')?.interfaces.find((n) => n.network === 'dmz')?.ip).toBe('10.0.2.2');
  });

  it('with --replace the range is rebuilt on the new subnet', async () => {
    const r = await run('deploy', join(state.dir, 'v3.yaml'), '--name', inst, '--replace');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rebuilt ${inst}`);
    const got = await inspect();
    const fw = got.hosts.find((h) => h.name === 'fw');
    expect(fw?.interfaces.find((n) => n.network === 'dmz')).toMatchObject({ ip: '10.0.5.2' });
    expect(fw?.interfaces.find((n) => n.network === 'dmz')?.observed?.ipv4).toEqual(['10.0.5.2/24']);
    for (const h of got.hosts) expect(h.state, h.name).toBe('running');
    expect(pidOf('ws1')).not.toBe(pids.ws1);
  });
});

describe.skipIf(!IS_ROOT)('PUT /api/ranges/:name: the same diff as a job whose events are its steps', () => {
  const state = tempStateDir();
  const inst = uniqueName('apa');
  const ADMIN = 'apply-test-admin-token-0123456789';
  const BASE = `http://127.0.0.1:${19000 + Math.floor(Math.random() * 900)}`;
  let server: ChildProcess;
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  /** Waits for a job to finish; returns it. */
  const finished = async (id: string) =>
    waitFor(
      async () => {
        const j = await api('GET', `/api/jobs/${id}`);
        return j.body?.status !== 'running' ? j.body : null;
      },
      60_000,
      250,
    );

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', BASE.split(':')[2] as string], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    const r = await api('POST', '/api/ranges', { source: V1, name: inst });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect((await finished(r.body.job_id))?.status).toBe('succeeded');
  });
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    if (server.pid !== undefined && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((res) => server.once('exit', res));
    }
    state.cleanup();
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${BASE}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId?: string; tags?: string[]; responses?: Record<string, unknown> }>>;
    };
    const op = doc.paths['/api/ranges/{name}']?.put;
    expect(op).toMatchObject({ operationId: 'applyRange', tags: ['ranges'] });
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['202', '401', '404', '409', '422']));
  });

  it('a subnet change without replace is a 422 naming the field, before any job', async () => {
    const r = await api('PUT', `/api/ranges/${inst}`, { source: V3 });
    expect(r.status).toBe(422);
    expect(r.body.problems.map((p: { path: string }) => p.path)).toContain('networks[1].subnet');
  });

  it("a dry run answers the CLI plan's changes and changes nothing", async () => {
    const hosts = async () =>
      ((await api('GET', `/api/ranges/${inst}`)).body.hosts as Array<{ name: string; networks: Array<{ ip_address: string }> }>).map(
        (h) => [h.name, h.networks.map((n) => n.ip_address)],
      );
    const before = await hosts();
    const r = await api('PUT', `/api/ranges/${inst}`, { source: V2, dry_run: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.replaces).toBe(false);
    expect(r.body.changes.map((c: { summary: string }) => c.summary.replace(/02(:[0-9a-f]{2}){5}/g, 'MAC'))).toEqual([
      '- host ws2',
      '~ nic fw/lan 10.0.1.2 MAC → 10.0.1.3 MAC',
      '+ nic web/lan 10.0.1.11',
      '+ host ws3',
      '~ policies (1 → 1 rules)',
    ]);
    const replace = await api('PUT', `/api/ranges/${inst}`, { source: V3, dry_run: true });
    expect(replace.status).toBe(200);
    expect(replace.body.replaces).toBe(true);
    expect(replace.body.changes).toContainEqual(expect.objectContaining({ kind: 'replace', path: 'networks[1].subnet' }));
    expect(await hosts()).toEqual(before);
  });

  it('applies the diff; the job events are its steps and hosts it does not name keep running', async () => {
    const pid = () => Number(readFileSync(join(state.dir, 'run', inst, 'ws1.pid'), 'utf8').split(' ')[0]);
    const before = pid();
    const r = await api('PUT', `/api/ranges/${inst}`, { source: V2 });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toEqual({ job_id: expect.any(String), instance: inst });
    const job = await finished(r.body.job_id);
    expect(job?.status, JSON.stringify(job?.error)).toBe('succeeded');
    const done = ((job?.events ?? []) as Array<{ kind: string; step: string; status: string }>).filter(
      (e) => e.kind === 'step' && e.status === 'done',
    );
    expect(done.map((e) => e.step)).toEqual(
      expect.arrayContaining(['host-rm:ws2', 'nic-readdress:fw:lan', 'nic-add:web:lan', 'host-add:ws3', 'firewall']),
    );
    expect(pid()).toBe(before);
    const range = await api('GET', `/api/ranges/${inst}`);
    expect(range.body.hosts.map((h: { name: string }) => h.name).sort()).toEqual(['fw', 'web', 'ws1', 'ws3']);
  });
});

describe.skipIf(!IS_ROOT)('a /31 point-to-point network on the kernel', () => {
  const state = tempStateDir();
  const inst = uniqueName('p2p');
  const run = (...args: string[]) => cli(args, { stateDir: state.dir });
  afterAll(async () => {
    await run('destroy', inst);
    state.cleanup();
  });

  it('two routers take both addresses and reach each other; the bridge has no address, the hosts no default route', async () => {
    const f = join(state.dir, 'p2p.yaml');
    writeFileSync(
      f,
      `name: p2p
networks:
  - { name: link, subnet: 10.9.0.0/31 }
  - { name: lan, subnet: 10.0.1.0/24 }
vms:
  - { name: r1, interfaces: [{ network: link }] }
  - { name: r2, interfaces: [{ network: link }, { network: lan }] }
`,
    );
    const r = await run('deploy', f, '--name', inst);
    expect(r.code, r.stderr).toBe(0);
    const addr = async (host: string) => (await inNs(`cyr_${inst}_${host}`, ['ip', '-4', '-o', 'addr', 'show', 'eth0'])).stdout;
    expect(await addr('r1')).toContain('10.9.0.0/31');
    expect(await addr('r2')).toContain('10.9.0.1/31');
    expect((await inNs(`cyr_${inst}_r1`, ['ping', '-c', '1', '-W', '2', '-q', '10.9.0.1'])).code).toBe(0);
    expect((await inNs(`cyr_${inst}_r2`, ['ping', '-c', '1', '-W', '2', '-q', '10.9.0.0'])).code).toBe(0);
    expect((await inNs(`cyr_${inst}_r1`, ['ip', 'route', 'show', 'default'])).stdout.trim()).toBe('');
    expect((await inNs(`cyr_${inst}_r2`, ['ip', 'route', 'show', 'default'])).stdout).toContain('default via 10.0.1.1 dev eth1');
    const bridges = JSON.parse((await runCmd(['ip', '-n', `cyr_${inst}`, '-4', '-json', 'addr', 'show'])).stdout) as Array<{
      ifname: string;
      addr_info: Array<{ local: string }>;
    }>;
    const withAddr = bridges.filter((b) => b.addr_info.length > 0 && b.ifname !== 'lo').flatMap((b) => b.addr_info.map((a) => a.local));
    expect(withAddr).toEqual(['10.0.1.1']);
  });
});
