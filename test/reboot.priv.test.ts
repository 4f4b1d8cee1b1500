import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { CYRANGE, IS_ROOT, ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';
import { ON_PG, freshLocation } from './store-backend.js';

const ADMIN = 'reboot-admin-token-0123456789';
const ASSETS = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';
const ENV = { CYRANGE_MICROVM_ASSETS: ASSETS, CYRANGE_ADMIN_TOKEN: ADMIN };

/** netns, docker and microVM hosts on two routed networks (one with DHCP, so dnsmasq must come back too). */
const MIXED = `name: reboot
networks:
  - { name: lan, subnet: 10.84.0.0/24, dhcp: true }
  - { name: dmz, subnet: 10.85.0.0/24 }
routes:
  - [lan, dmz]
vms:
  - name: n1
    interfaces:
      - { network: lan, ip: 10.84.0.30 }
      - { network: dmz, ip: 10.85.0.30 }
  - name: n2
    interfaces:
      - { network: dmz, ip: 10.85.0.31 }
  - name: d1
    runtime: docker
    image: cyrange-test/busybox:1
    interfaces:
      - { network: dmz, ip: 10.85.0.40 }
  - name: vm1
    runtime: microvm
    resources: { memory: 160m }
    command: [sleep, infinity]
    interfaces:
      - { network: lan, ip: 10.84.0.20 }
`;

function bigRange(hosts: number): string {
  const nets = [0, 1, 2, 3].map((i) => `  - { name: n${i}, subnet: 10.${86 + i}.0.0/24 }`).join('\n');
  const vms = Array.from({ length: hosts }, (_, i) => `  - { name: h${i}, interfaces: [{ network: n${i % 4} }] }`).join('\n');
  return `name: big\nnetworks:\n${nets}\nvms:\n${vms}\n`;
}

const SMALL = `name: small
networks: [{ name: lan, subnet: 10.90.0.0/24 }]
vms:
  - { name: a, interfaces: [{ network: lan }] }
  - { name: b, interfaces: [{ network: lan }] }
`;

/** Namespaces of an instance: the range's and its hosts'. */
function owned(instance: string): string[] {
  return readdirSync('/run/netns').filter((n) => n === `cyr_${instance}` || n.startsWith(`cyr_${instance}_`));
}

/** What a sandbox leaves when a cleanup has a hole: runc state, overlay mounts. */
async function leftovers(instance: string): Promise<string[]> {
  const runc = (await runCmd(['runc', '--root', '/run/cyrange/runc', 'list', '-q'])).stdout.split('\n');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const procs = (await runCmd(['pgrep', '-f', `cyr_${instance}|cyrange:${instance}:`])).stdout.trim();
  return [
    ...owned(instance).map((n) => `netns ${n}`),
    ...runc.filter((id) => id.startsWith(`cyr_${instance}_`)).map((id) => `runc ${id}`),
    ...mounts.filter((l) => l.includes(` - overlay cyrange:${instance}:`)).map((l) => `mount ${l.split(' ')[4]}`),
    ...(procs ? [`processes ${procs.replace(/\n/g, ' ')}`] : []),
  ];
}

/** A `PID START` pid file's process, when it is still the one that wrote it. */
function livePid(file: string): number | null {
  try {
    const [pid, start] = readFileSync(file, 'utf8').trim().split(' ');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === start ? Number(pid) : null;
  } catch {
    return null;
  }
}

function kill(pid: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/**
 * What a reboot does to a range, done by hand: its containers stop, every process of it (hosts,
 * QEMU, DHCP and metadata servers, the docker watcher) dies, every namespace of it goes.
 */
async function simulateReboot(stateDir: string, instance: string, dockerHosts: readonly string[]): Promise<void> {
  for (const h of dockerHosts) expect((await runCmd(['docker', 'stop', '-t', '1', `cyr_${instance}_${h}`])).code).toBe(0);
  const watcher = livePid(join(stateDir, 'watch.pid'));
  if (watcher) kill(watcher);
  const run = join(stateDir, 'run', instance);
  const pids = readdirSync(run)
    .filter((f) => f.endsWith('.pid') || f.endsWith('.ref'))
    .map((f) => livePid(join(run, f)))
    .filter((p): p is number => p !== null);
  for (const n of owned(instance)) {
    for (const p of (await runCmd(['ip', 'netns', 'pids', n])).stdout.split('\n').filter(Boolean)) pids.push(Number(p));
  }
  for (const p of new Set(pids)) kill(p);
  await waitFor(() => [...pids].every((p) => !existsSync(`/proc/${p}`) || readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ')), 5000);
  for (const n of owned(instance)) expect((await runCmd(['ip', 'netns', 'del', n])).code).toBe(0);
}

/** A `serve` of a state directory on a free port, its output kept. */
class Server {
  readonly port = 19000 + Math.floor(Math.random() * 2000);
  readonly base = `http://127.0.0.1:${this.port}`;
  log = '';
  proc: ChildProcess;

  constructor(stateDir: string, env: NodeJS.ProcessEnv = {}, args: readonly string[] = []) {
    this.proc = spawn(CYRANGE, ['serve', '--port', String(this.port), ...args], {
      env: { ...process.env, ...ENV, CYRANGE_STATE_DIR: stateDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout?.on('data', (d) => {
      this.log += d;
    });
    this.proc.stderr?.on('data', (d) => {
      this.log += d;
    });
  }

  async ready(): Promise<void> {
    expect(await waitFor(async () => (await fetch(`${this.base}/healthz`).catch(() => null))?.ok, 20_000)).toBe(true);
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    try {
      return { status: r.status, body: JSON.parse(text) };
    } catch {
      return { status: r.status, body: text };
    }
  }

  /** Ends the server (SIGKILL: a crash) and waits until it is gone. */
  async stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    if (this.proc.pid) kill(this.proc.pid, sig);
    await gone;
  }
}

interface LsRow {
  instance: string;
  status: string;
  recorded_status: string;
  hosts: number;
  hosts_up: number;
}

async function ls(stateDir: string): Promise<LsRow[]> {
  const r = await cli(['ls', '--json'], { stateDir, env: ENV });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LsRow[];
}

/** Each NIC of each host as the kernel (or the guest) has it: host, ifname, address, MAC. */
async function liveNics(stateDir: string, instance: string): Promise<string[]> {
  const r = await cli(['inspect', instance, '--json'], { stateDir, env: ENV });
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as {
    hosts: Array<{ name: string; interfaces: Array<{ ifname: string; observed: { ipv4: string[]; mac: string } | null }> }>;
  };
  return doc.hosts.flatMap((h) =>
    h.interfaces.map((n) => `${h.name} ${n.ifname} ${n.observed?.ipv4.join(',') ?? '-'} ${n.observed?.mac ?? '-'}`),
  );
}

const exec = (stateDir: string, instance: string, host: string, argv: readonly string[]) =>
  cli(['exec', instance, host, '--', ...argv], { stateDir, env: ENV });

async function dockerUp(): Promise<boolean> {
  if ((await runCmd(['docker', 'info'])).code === 0 && (await runCmd(['docker', 'image', 'inspect', 'cyrange-test/busybox:1'])).code === 0)
    return true;
  return (await runCmd(['bash', join(ROOT, 'scripts', 'docker-up.sh')])).code === 0;
}

describe.skipIf(!IS_ROOT)('surviving a reboot and a crashed server', () => {
  const state = tempStateDir();
  const inst = uniqueName('reboot');
  const servers: Server[] = [];
  const made: string[] = [inst];
  const serve = (env: NodeJS.ProcessEnv = {}, args: readonly string[] = []) => {
    const s = new Server(state.dir, env, args);
    servers.push(s);
    return s;
  };

  beforeAll(async () => {
    expect(await dockerUp()).toBe(true);
    const file = join(state.dir, 'mixed.yaml');
    writeFileSync(file, MIXED);
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir, env: ENV });
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    for (const s of servers) await s.stop('SIGKILL');
    for (const i of made) await cli(['destroy', i], { stateDir: state.dir, env: ENV });
    const watcher = livePid(join(state.dir, 'watch.pid'));
    if (watcher) kill(watcher, 'SIGTERM');
    state.cleanup();
  }, 120_000);

  it('a service unit runs serve after the network and docker, restarts on failure, and passes systemd-analyze', async () => {
    const dry = await cli(['service', 'install', '--dry-run', '--port', '8099'], {
      stateDir: state.dir,
      env: { ...ENV, CYRANGE_CONCURRENCY: '4' },
    });
    expect(dry.code, dry.stderr).toBe(0);
    const unit = dry.stdout;
    expect(unit).toMatch(/^After=network-online\.target docker\.service$/m);
    expect(unit).toMatch(/^Wants=network-online\.target docker\.service$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^KillMode=process$/m);
    expect(unit).toContain(`Environment="CYRANGE_STATE_DIR=${state.dir}"`);
    expect(unit).toContain('Environment="CYRANGE_CONCURRENCY=4"');
    expect(unit).toMatch(/^ExecStart=".*node" ".*\/dist\/(bundle|cli)\/main\.js" "serve" "--host" "127\.0\.0\.1" "--port" "8099"$/m);
    // Secrets stay out of a world-readable unit; the unit reads them from a file of their own.
    expect(unit).not.toContain(ADMIN);
    expect(unit).toMatch(/^EnvironmentFile=-\/etc\/default\/cyrange$/m);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    // A store without docker hosts: no docker ordering. (On PostgreSQL a store is a schema, not a directory.)
    const bare = tempStateDir();
    const loc = ON_PG ? await freshLocation() : null;
    const bareEnv = loc && 'url' in loc ? { CYRANGE_DATABASE_URL: loc.url } : {};
    try {
      const plain = await cli(['service', 'install', '--dry-run'], { stateDir: bare.dir, env: bareEnv });
      expect(plain.stdout).toMatch(/^After=network-online\.target$/m);
    } finally {
      bare.cleanup();
    }
    const path = join(state.dir, 'unit', 'cyrange.service');
    const wrote = await cli(['service', 'install', '--path', path], { stateDir: state.dir, env: ENV });
    expect(wrote.code, wrote.stderr).toBe(0);
    expect(wrote.stdout).toContain('systemctl daemon-reload && systemctl enable --now cyrange.service');
    expect(readFileSync(path, 'utf8')).toMatch(/^Restart=on-failure$/m);
    for (const f of [path, join(ROOT, 'packaging', 'cyrange.service')]) {
      const v = await runCmd(['systemd-analyze', 'verify', f]).catch(() => null);
      if (v && !/not found|ENOENT/.test(v.stderr)) expect(v.code, `${f}: ${v.stderr}`).toBe(0);
    }
  });

  it('after a simulated reboot, ls says down and a new serve brings the range back: same IPs and MACs, pings, upper layer kept', async () => {
    expect((await exec(state.dir, inst, 'n1', ['sh', '-c', 'echo survived > /root/marker'])).code).toBe(0);
    const upper = join(state.dir, 'hosts', inst, 'n1', 'upper', 'root', 'marker');
    expect(readFileSync(upper, 'utf8')).toBe('survived\n');
    const before = await liveNics(state.dir, inst);
    expect(before.filter((l) => l.includes(' - '))).toEqual([]);

    await simulateReboot(state.dir, inst, ['d1']);
    const down = (await ls(state.dir)).find((r) => r.instance === inst);
    expect(['down', 'degraded']).toContain(down?.status);
    expect(down?.recorded_status).toBe('running');

    const t0 = Date.now();
    const server = serve();
    await server.ready();
    const back = await waitFor(async () => (await ls(state.dir)).find((r) => r.instance === inst)?.status === 'running', 30_000, 200);
    const recoveredMs = Date.now() - t0;
    expect(back, server.log).toBe(true);
    expect(recoveredMs).toBeLessThan(30_000);
    process.stderr.write(`reboot test: ${inst} running again ${recoveredMs} ms after serve started\n`);

    // The repair is a job with progress, visible through the API.
    const id = /reconciling (\S+): job (\S+)/.exec(server.log.split('\n').find((l) => l.includes(`reconciling ${inst}:`)) ?? '')?.[2];
    expect(id, server.log).toBeTruthy();
    const job = await waitFor(async () => {
      const j = await server.api('GET', `/api/jobs/${id}`);
      return j.body.status === 'running' ? null : j.body;
    }, 30_000);
    expect(job.op).toBe('reconcile');
    expect(job.status).toBe('succeeded');
    expect(job.result.action).toBe('repaired');
    expect(job.events.some((e: { step: string }) => e.step === 'host:vm1')).toBe(true);
    expect((await server.api('GET', `/api/ranges/${inst}`)).body.status).toBe('running');

    expect(await liveNics(state.dir, inst)).toEqual(before);
    const ping = async (host: string, ip: string) => (await exec(state.dir, inst, host, ['ping', '-c', '1', '-W', '2', ip])).code;
    // Across the routed networks, each runtime to another (replies of the multi-homed n1 would leave
    // by its other NIC, which anti-spoofing rightly drops: not used as a far end).
    expect(await waitFor(async () => (await ping('n2', '10.84.0.20')) === 0, 10_000)).toBe(true); // netns (dmz) → microVM (lan)
    expect(await ping('d1', '10.84.0.20')).toBe(0); // docker (dmz) → microVM (lan)
    expect(await ping('vm1', '10.85.0.40')).toBe(0); // microVM (lan) → docker (dmz)
    expect(await ping('vm1', '10.85.0.31')).toBe(0); // microVM (lan) → netns (dmz)
    expect(await ping('n1', '10.85.0.40')).toBe(0); // netns → docker, both NICs of n1 wired again
    const marker = await exec(state.dir, inst, 'n1', ['cat', '/root/marker']);
    expect(marker.stdout).toBe('survived\n');
    expect(readFileSync(upper, 'utf8')).toBe('survived\n');
    await server.stop();
  }, 180_000);

  it.each([
    ['right after the job starts', null],
    ['once the range network exists, before hosts start', 'network'],
    ['after some hosts started', 'h5.pid'],
  ])(
    'kill -9 of the server %s: after a restart the job says interrupted, the repair job succeeds, the range is whole or absent',
    async (_when, point) => {
      const name = uniqueName('crash');
      made.push(name);
      const first = serve({ CYRANGE_CONCURRENCY: '1' });
      await first.ready();
      const post = await first.api('POST', '/api/ranges', { source: bigRange(24), name });
      expect(post.status, JSON.stringify(post.body)).toBe(202);
      const deployJob = post.body.job_id as string;
      if (point === 'network') expect(await waitFor(() => existsSync(`/run/netns/cyr_${name}`), 20_000, 5)).toBe(true);
      if (point === 'h5.pid') expect(await waitFor(() => existsSync(join(state.dir, 'run', name, 'h5.pid')), 30_000, 5)).toBe(true);
      await first.stop('SIGKILL');

      const second = serve();
      await second.ready();
      const interrupted = await waitFor(async () => {
        const j = await second.api('GET', `/api/jobs/${deployJob}`);
        return j.body.status === 'interrupted' && j.body.reconcile_job ? j.body : null;
      }, 10_000);
      expect(interrupted, second.log).toBeTruthy();
      expect(interrupted.error.code).toBe('CYR_INTERRUPTED');
      const repair = await waitFor(async () => {
        const j = await second.api('GET', `/api/jobs/${interrupted.reconcile_job}`);
        return j.body.status === 'running' ? null : j.body;
      }, 60_000);
      expect(repair.op).toBe('reconcile');
      expect(repair.status, JSON.stringify(repair.error)).toBe('succeeded');
      expect(repair.repairs).toEqual([deployJob]);
      // The interrupted job's event stream still answers, and ends.
      const sse = await fetch(`${second.base}/api/jobs/${deployJob}/events`, { headers: { authorization: `Bearer ${ADMIN}` } });
      expect(await sse.text()).toMatch(/event: end\ndata: \{"status":"interrupted"/);

      const row = (await ls(state.dir)).find((r) => r.instance === name);
      if (row) {
        expect(row.status).toBe('running');
        expect(row.hosts_up).toBe(24);
        expect(owned(name).length).toBe(25);
      } else expect(await leftovers(name)).toEqual([]);
      await second.stop();
      const d = await cli(['destroy', name], { stateDir: state.dir, env: ENV });
      expect(d.code, d.stderr).toBe(0);
      expect(await leftovers(name)).toEqual([]);
    },
    180_000,
  );

  it('serve --no-reconcile and CYRANGE_RECONCILE=off leave a down range down', async () => {
    await simulateReboot(state.dir, inst, ['d1']);
    for (const [env, args] of [
      [{}, ['--no-reconcile']],
      [{ CYRANGE_RECONCILE: 'off' }, []],
    ] as const) {
      const s = serve(env, args);
      await s.ready();
      await new Promise((r) => setTimeout(r, 1500));
      expect(s.log).toContain('reconcile at start is off');
      expect((await s.api('GET', `/api/ranges/${inst}`)).body.status).toBe('down');
      await s.stop();
    }
    const r = await cli(['reconcile', inst], { stateDir: state.dir, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect((await ls(state.dir)).find((x) => x.instance === inst)?.status).toBe('running');
  }, 120_000);
});

describe.skipIf(!IS_ROOT)('reconcile --all with nothing to do', () => {
  const state = tempStateDir();
  const names = Array.from({ length: 10 }, (_, i) => uniqueName(`noop${i}`));

  beforeAll(async () => {
    const file = join(state.dir, 'small.yaml');
    writeFileSync(file, SMALL);
    const rs = await Promise.all(names.map((n) => cli(['deploy', file, '--name', n], { stateDir: state.dir })));
    for (const r of rs) expect(r.code, r.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(names.map((n) => cli(['destroy', n], { stateDir: state.dir })));
    state.cleanup();
  }, 120_000);

  /** Everything reconcile could touch: stored rows, namespaces, host processes, lock files. */
  async function snapshot(): Promise<string> {
    // The store the CLI uses: the state directory's SQLite, or CYRANGE_DATABASE_URL's schema.
    const store = await openStore({ stateDir: state.dir });
    try {
      const rows = await store.db
        .selectFrom('ranges')
        .select(['instance', 'status', 'updated_at', 'resolved_json'])
        .orderBy('instance')
        .execute();
      const ns = names.flatMap((n) => owned(n).map((x) => `${x}:${statSync(`/run/netns/${x}`).ino}`));
      const files = names.flatMap((n) =>
        readdirSync(join(state.dir, 'run', n))
          .filter((f) => f.endsWith('.pid') || f === 'op.lock')
          .map((f) => `${n}/${f}:${readFileSync(join(state.dir, 'run', n, f), 'utf8')}`),
      );
      return JSON.stringify({ rows, ns, files });
    } finally {
      await store.close();
    }
  }

  it('changes nothing, says so, and takes under a second for 10 ranges', async () => {
    const before = await snapshot();
    const t0 = performance.now();
    const text = await cli(['reconcile', '--all'], { stateDir: state.dir });
    const wall = performance.now() - t0;
    expect(text.code, text.stderr).toBe(0);
    const m = /^nothing to reconcile: 10 instances match their stored ranges; nothing changed \((\d+) ms\)$/m.exec(text.stdout);
    expect(m, text.stdout).toBeTruthy();
    const json = await cli(['reconcile', '--all', '--json'], { stateDir: state.dir });
    const rows = JSON.parse(json.stdout) as Array<{ action: string; changed: boolean; ms: number }>;
    expect(rows.map((r) => [r.action, r.changed])).toEqual(names.map(() => ['none', false]));
    const ms = Number(m?.[1]);
    expect(ms).toBeLessThan(1000);
    const lsT0 = performance.now();
    const listed = await cli(['ls', '--json'], { stateDir: state.dir });
    const lsWall = performance.now() - lsT0;
    expect((JSON.parse(listed.stdout) as LsRow[]).map((r) => r.status)).toEqual(names.map(() => 'running'));
    process.stderr.write(
      `reconcile --all no-op for 10 ranges: ${ms} ms in the engine, ${Math.round(wall)} ms wall; ls ${Math.round(lsWall)} ms wall\n`,
    );
    expect(await snapshot()).toBe(before);
  }, 60_000);
});
