// Pools and resets. The reference range is "corp" = examples/two-tier.yaml (3 sandboxed netns
// hosts, 2 networks, lan <-> dmz routed).
//   1. N = 10 and 30 copies of corp as a pool: the engine's createPool (in process) and the CLI's
//      `cyrange pool create FILE --size N --name P` (wall time of the spawned process), each against
//      N × one single deploy of corp measured in the same run (engine deploy, CLI deploy); memory per
//      copy (MemAvailable drop / N, see memory caveats below); pool destroy time (engine, CLI).
//   2. Reset of one sandboxed netns host, one docker host (cyrange-test/busybox:1, from
//      scripts/docker-up.sh) and one microVM (resources {memory: 160m}, the guest in
//      /var/lib/cyrange/microvm plus a 16 MiB ext4 root disk, so a reset discards a qcow2 overlay),
//      from one small range with a host of each runtime: median of 5 resets each, a file written in
//      the host before each reset (checked gone after), the engine's own step times, and the time
//      until the host answers ping again. Also `cyrange reset I HOST` end to end from the CLI.
// Figures only, no pass/fail; goals are printed next to them. Everything it makes is named bpl*
// and removed at the end, also on failure or Ctrl-C.
// Run as root after scripts/setup.sh (dist/ built, dockerd up): node bench/pool.mjs
// BENCH_SIZES=10,30 BENCH_SINGLE_REPS=5 BENCH_POOL_REPS=1 BENCH_RESETS=5 BENCH_RESET=0 (skips part 2)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { Engine, configFromEnv } from '../dist/engine/index.js';
import { hostNetns, loadRawRange, rangeNetns, resolveRange } from '../dist/model/index.js';
import { RUNC_ROOT } from '../dist/runtimes/sandbox/runc.js';
import { openStore } from '../dist/store/index.js';
import { cpuMs, kernelKiB, meminfo, processesIn, rmdirTree, steadyMemAvailable } from './proc.mjs';
import { median, ms, now, timed as timedWith } from './timing.mjs';

const REF_FILE = new URL('../examples/two-tier.yaml', import.meta.url).pathname;
const REF_SOURCE = readFileSync(REF_FILE, 'utf8');
const REF_RAW = loadRawRange(REF_SOURCE);
const REF = 'corp (examples/two-tier.yaml: 3 sandboxed netns hosts, 2 networks, routed)';
const SIZES = (process.env.BENCH_SIZES ?? '10,30').split(',').map(Number);
const SINGLE_REPS = Number(process.env.BENCH_SINGLE_REPS ?? 5);
const POOL_REPS = Number(process.env.BENCH_POOL_REPS ?? 1);
const RESETS = Number(process.env.BENCH_RESETS ?? 5);
const IMAGE = 'cyrange-test/busybox:1';
const ASSETS = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';
/** Every instance, pool and namespace of this benchmark starts with it (gc-style sweep at the end). */
const TAG = 'bpl';

const stateDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-pool-'));
// The CLI runs with its own store, so the two never share a database file while both are open.
const cliStateDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-pool-cli-'));
const workDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-pool-files-'));
const cfg = { ...configFromEnv(), stateDir, microvmAssets: ASSETS };
const store = await openStore({ stateDir });
// Every deploy step the engine reports, per instance: how a copy's time splits inside a pool.
const events = new Map();
const engine = new Engine(store, cfg, {
  onEvent: (e) => {
    if (e.kind !== 'step' || e.op !== 'deploy' || e.status !== 'done') return;
    const list = events.get(e.instance) ?? [];
    list.push({ step: e.step, ms: e.ms, at: performance.now() });
    events.set(e.instance, list);
  },
});
const ACTOR = { kind: 'local-root' };
const CLI = new URL('../bin/cyrange', import.meta.url).pathname;
const CLI_ENV = { ...process.env, CYRANGE_STATE_DIR: cliStateDir, CYRANGE_MICROVM_ASSETS: ASSETS };
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${sig}: stopping after the current step, then cleaning up`);
  });
const checkpoint = () => {
  if (interrupted) throw new Error('interrupted');
};

// ---- helpers -------------------------------------------------------------------------------

const pad = (s, w) => String(s).padStart(w);
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const row = (cells, w = 10) => cells.map((c, i) => (i === 0 ? String(c).padEnd(w) : pad(c, w))).join('');
const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');

/** A command's wall time, exit code and output, in the CLI's environment unless given another. */
const timed = (argv, env = CLI_ENV) => timedWith(argv, env);

const tail = (s) => s.trim().split('\n').slice(-4).join('; ');

/** Jiffies of every CPU of the machine, busy and in all (idle and iowait are not busy): whoever runs. */
function machineCpu() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/** Cores busy on average since `m0` (of cpus().length), every process of the machine counted. */
const coresBusy = (m0) => {
  const m = machineCpu();
  return ((m.busy - m0.busy) / (m.total - m0.total)) * cpus().length;
};

/** Deploy step times (ms) of one instance, from the engine's events: `{ step: ms }`, host:* summed as `host:*`. */
function stepsOf(instance) {
  const out = {};
  for (const s of events.get(instance) ?? []) {
    const k = s.step.startsWith('host:') ? 'host:*' : s.step;
    out[k] = (out[k] ?? 0) + s.ms;
  }
  return out;
}

function pingsFrom(netns, ip) {
  return spawnSync('ip', ['netns', 'exec', netns, 'ping', '-c', '1', '-W', '0.2', '-q', ip], { stdio: 'ignore' }).status === 0;
}

async function untilPing(netns, ip, t0, limitMs = 120_000) {
  while (!pingsFrom(netns, ip)) {
    if (ms(t0) > limitMs) return Number.NaN;
    await sleep(20);
  }
  return ms(t0);
}

// ---- what is live, for the cleanup ----------------------------------------------------------

const live = { enginePools: new Set(), cliPools: new Set(), cliRanges: new Set() };

/** Everything on the machine tagged with this benchmark's names (no database involved). */
function leftovers() {
  const ls = (d, re) => {
    try {
      return readdirSync(d).filter((x) => re.test(x));
    } catch {
      return [];
    }
  };
  const ours = new RegExp(`^cyr_${TAG}`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' - ')[1]?.split(' '))
    .filter((f) => f && f[0] === 'overlay' && f[1]?.startsWith(`cyrange:${TAG}`))
    .map((f) => f[1]);
  const mountPoints = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(` - overlay cyrange:${TAG}`))
    .map((l) => l.split(' ')[4]);
  let containers = [];
  try {
    containers = execFileSync('docker', ['ps', '-a', '--filter', `name=^cyr_${TAG}`, '--format', '{{.Names}}'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .filter((n) => ours.test(n));
  } catch {}
  const cgroups = [];
  for (const h of ls('/sys/fs/cgroup', /./))
    for (const i of ls(join('/sys/fs/cgroup', h, 'cyrange'), new RegExp(`^${TAG}`))) cgroups.push(join('/sys/fs/cgroup', h, 'cyrange', i));
  // Processes (QEMU, dnsmasq, listeners) whose command line names one of our state directories.
  const procs = [];
  for (const pid of ls('/proc', /^\d+$/)) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(stateDir) || cmd.includes(cliStateDir)) procs.push(Number(pid));
    } catch {}
  }
  return {
    runc: ls(RUNC_ROOT, ours),
    netns: ls('/run/netns', ours),
    mounts,
    mountPoints,
    containers,
    cgroups,
    procs,
  };
}

const leftCount = (l) => l.runc.length + l.netns.length + l.mounts.length + l.containers.length + l.cgroups.length + l.procs.length;

function removeLeftovers(l) {
  const q = (argv) => spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
  for (const p of l.procs)
    try {
      process.kill(p, 'SIGKILL');
    } catch {}
  for (const id of l.runc) q(['runc', '--root', RUNC_ROOT, 'delete', '--force', id]);
  for (const c of l.containers) q(['docker', 'rm', '-f', c]);
  for (const m of l.mountPoints) if (q(['umount', m]).status !== 0) q(['umount', '--lazy', m]);
  for (const n of l.netns) q(['ip', 'netns', 'del', n]);
  for (const c of l.cgroups) rmdirTree(c);
}

// ---- part 1: pools --------------------------------------------------------------------------

async function singleEngine(rep) {
  const r = resolveRange(REF_RAW, { instance: `${TAG}s${rep}` });
  const c0 = cpuMs();
  const m0 = machineCpu();
  const t0 = now();
  const res = await engine.deploy(r, REF_SOURCE, null, ACTOR);
  const d = ms(t0);
  const cpu = cpuMs() - c0;
  const busy = coresBusy(m0);
  const t1 = now();
  await engine.destroy(r.instance);
  return { d, x: ms(t1), cpu, busy, steps: stepsOf(r.instance), engineMs: res.ms };
}

async function singleCli(rep) {
  const inst = `${TAG}sc${rep}`;
  live.cliRanges.add(inst);
  const dep = await timed([CLI, 'deploy', REF_FILE, '--name', inst]);
  if (dep.code !== 0) throw new Error(`cyrange deploy failed (${dep.code}): ${tail(dep.err)}`);
  const des = await timed([CLI, 'destroy', inst]);
  if (des.code !== 0) throw new Error(`cyrange destroy failed (${des.code}): ${tail(des.err)}`);
  live.cliRanges.delete(inst);
  return { d: dep.ms, x: des.ms, inner: Number(/in (\d+) ms/.exec(dep.out)?.[1] ?? Number.NaN) };
}

async function enginePool(n, rep) {
  const name = `${TAG}e${n}r${rep}`;
  const before = await steadyMemAvailable();
  const k0 = kernelKiB();
  live.enginePools.add(name);
  const c0 = cpuMs();
  const m0 = machineCpu();
  const t0 = now();
  const r = await engine.createPool({ name, source: REF_SOURCE, size: n, owner: null, actor: ACTOR });
  const d = ms(t0);
  const cpu = cpuMs() - c0;
  const busy = coresBusy(m0);
  const after = await steadyMemAvailable();
  const kernel = kernelKiB() - k0;
  const instances = r.copies.map((c) => c.instance);
  const hostNs = instances.flatMap((i) => REF_RAW.vms.map((h) => hostNetns(i, h.name)));
  const hostProcs = processesIn(hostNs);
  const svc = processesIn(instances.map((i) => rangeNetns(i)));
  const ok = r.copies.filter((c) => c.ok).length;
  const retried = r.copies.filter((c) => c.attempts > 1).length;
  // Each copy's own span inside the pool: first to last of its deploy steps.
  const spans = instances.map((i) => {
    const ev = events.get(i) ?? [];
    if (ev.length === 0) return Number.NaN;
    const first = ev.reduce((m, s) => Math.min(m, s.at - s.ms), Number.POSITIVE_INFINITY);
    const last = ev.reduce((m, s) => Math.max(m, s.at), 0);
    return last - first;
  });
  const stepSums = {};
  for (const i of instances) for (const [k, v] of Object.entries(stepsOf(i))) stepSums[k] = (stepSums[k] ?? 0) + v;
  const t1 = now();
  await engine.destroyPool(name);
  live.enginePools.delete(name);
  const x = ms(t1);
  return {
    d,
    x,
    cpu,
    busy,
    ok,
    retried,
    errors: r.copies.filter((c) => !c.ok).map((c) => `${c.instance}: ${c.error}`),
    memDrop: before - after,
    kernel,
    hostRss: hostProcs.rss,
    hostAnon: hostProcs.anon,
    svcRss: svc.rss,
    svcAnon: svc.anon,
    procs: hostProcs.count,
    span: median(spans),
    stepMeans: Object.fromEntries(Object.entries(stepSums).map(([k, v]) => [k, v / n])),
  };
}

async function cliPool(n, rep) {
  const name = `${TAG}c${n}r${rep}`;
  live.cliPools.add(name);
  const c0 = cpuMs();
  const m0 = machineCpu();
  const dep = await timed([CLI, 'pool', 'create', REF_FILE, '--size', String(n), '--name', name]);
  const cpu = cpuMs() - c0;
  const busy = coresBusy(m0);
  const ok = (dep.out.match(/^ok {4}/gm) ?? []).length;
  const inner = Number(/running in (\d+) ms/.exec(dep.out)?.[1] ?? Number.NaN);
  const des = await timed([CLI, 'pool', 'destroy', name]);
  if (des.code !== 0) throw new Error(`cyrange pool destroy failed (${des.code}): ${tail(des.err)}`);
  live.cliPools.delete(name);
  if (dep.code !== 0 && ok === 0) throw new Error(`cyrange pool create failed (${dep.code}): ${tail(dep.err)}`);
  return { d: dep.ms, x: des.ms, inner, ok, cpu, busy, code: dep.code };
}

// ---- part 2: resets -------------------------------------------------------------------------

const RESET_INST = `${TAG}reset`;
const CLI_RESET_INST = `${TAG}creset`;
const RESET_NET = { name: 'lan', subnet: '10.79.0.0/24' };

function dockerReady() {
  return spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status === 0;
}

function microvmReady() {
  return (
    existsSync(join(ASSETS, 'manifest.json')) &&
    spawnSync('sh', ['-c', 'command -v qemu-system-x86_64 && command -v mkfs.ext4'], { stdio: 'ignore' }).status === 0
  );
}

/** A 16 MiB ext4 root disk for the microVM: its writes go to the per-host qcow2 overlay that a reset discards. */
function makeDisk() {
  const root = join(workDir, 'diskroot');
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(join(root, 'etc', 'issue'), 'bench disk\n');
  const disk = join(workDir, 'root.ext4');
  execFileSync('mkfs.ext4', ['-q', '-d', root, disk, '16M'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return disk;
}

function resetBlueprint({ docker, microvm }) {
  const vms = [{ name: 'n', interfaces: [{ network: 'lan', ip: '10.79.0.10' }] }];
  if (docker) vms.push({ name: 'd', runtime: 'docker', image: IMAGE, interfaces: [{ network: 'lan', ip: '10.79.0.11' }] });
  if (microvm) {
    const manifest = JSON.parse(readFileSync(join(ASSETS, 'manifest.json'), 'utf8'));
    vms.push({
      name: 'v',
      runtime: 'microvm',
      resources: { memory: '160m' },
      microvm: { kernel: join(ASSETS, manifest.kernel.file), initrd: join(ASSETS, manifest.initrd.file), disk: makeDisk() },
      command: ['sleep', 'infinity'],
      interfaces: [{ network: 'lan', ip: '10.79.0.12' }],
    });
  }
  return { name: 'resets', networks: [RESET_NET], vms };
}

// The microVM's command runs in its disk, mounted at /mnt/root by the guest init; exec runs beside it.
const markerDir = (h) => (h === 'v' ? '/mnt/root/keep' : '/keep');
const EXEC_LIMIT_MS = 30_000;
/**
 * An exec in a host with its output dropped and no stdin (without one, a microVM exec reads ours to its end);
 * resolves with the exit code, or 'hung' when no answer came within EXEC_LIMIT_MS (the engine's own
 * limit for a microVM is 10 min; the late answer or failure is then ignored).
 */
function execQuiet(inst, h, argv) {
  const p = engine.exec(inst, h, argv, { stdin: Readable.from([]), stdout: sink(), stderr: sink() });
  p.catch(() => {});
  let timer;
  return Promise.race([p, new Promise((res) => (timer = setTimeout(() => res('hung'), EXEC_LIMIT_MS)))]).finally(() => clearTimeout(timer));
}

async function resets(runtimes) {
  const raw = resetBlueprint(runtimes);
  const range = resolveRange(loadRawRange(JSON.stringify(raw)), { instance: RESET_INST });
  let t0 = now();
  await engine.deploy(range, JSON.stringify(raw), null, ACTOR);
  const deployMs = ms(t0);
  const out = [];
  for (const host of range.hosts) {
    const ip = host.interfaces[0].ip;
    const r = { host: host.name, runtime: host.runtime, total: [], ping: [], stop: [], discard: [], start: [], gone: 0, hung: null };
    for (let i = 0; i < RESETS; i++) {
      checkpoint();
      const dir = markerDir(host.name);
      const w = await execQuiet(RESET_INST, host.name, ['sh', '-c', `mkdir -p ${dir} && echo ${i} > ${dir}/f && sync`]);
      if (w === 'hung') {
        r.hung = `writing the file before reset ${i + 1}`;
        break;
      }
      if (w !== 0) throw new Error(`writing the marker in ${host.name} failed (exit ${w})`);
      t0 = now();
      const steps = await engine.reset(RESET_INST, host.name);
      r.total.push(ms(t0));
      r.ping.push(await untilPing(rangeNetns(RESET_INST), ip, t0));
      const pick = (p) => steps.find((s) => s.step.startsWith(`${p}:`))?.ms ?? Number.NaN;
      r.stop.push(pick('stop'));
      r.discard.push(pick('discard'));
      r.start.push(pick('start'));
      const c = await execQuiet(RESET_INST, host.name, ['test', '!', '-e', `${dir}/f`]);
      if (c === 'hung') {
        r.hung = `checking the file after reset ${i + 1}`;
        break;
      }
      if (c === 0) r.gone++;
    }
    out.push(r);
  }
  await engine.destroy(RESET_INST);
  return { deployMs, rows: out };
}

/** `cyrange reset I HOST` end to end: a one-host range in the CLI's store, reset RESETS times. */
async function cliResets() {
  const file = join(workDir, 'cli-reset.json');
  writeFileSync(
    file,
    JSON.stringify({ name: 'resets', networks: [RESET_NET], vms: [{ name: 'n', interfaces: [{ network: 'lan', ip: '10.79.0.10' }] }] }),
  );
  live.cliRanges.add(CLI_RESET_INST);
  const dep = await timed([CLI, 'deploy', file, '--name', CLI_RESET_INST]);
  if (dep.code !== 0) throw new Error(`cyrange deploy failed (${dep.code}): ${tail(dep.err)}`);
  const wall = [];
  for (let i = 0; i < RESETS; i++) {
    checkpoint();
    const r = await timed([CLI, 'reset', CLI_RESET_INST, 'n']);
    if (r.code !== 0) throw new Error(`cyrange reset failed (${r.code}): ${tail(r.err)}`);
    wall.push(r.ms);
  }
  // The floor of any CLI command here: node start-up, module loading, store open, exit.
  const ls = [];
  for (let i = 0; i < 3; i++) ls.push((await timed([CLI, 'ls', '--json'])).ms);
  const des = await timed([CLI, 'destroy', CLI_RESET_INST]);
  if (des.code !== 0) throw new Error(`cyrange destroy failed (${des.code}): ${tail(des.err)}`);
  live.cliRanges.delete(CLI_RESET_INST);
  return { wall, ls };
}

// ---- the run --------------------------------------------------------------------------------

const before = leftovers();
if (leftCount(before) > 0) {
  console.error(`leftovers tagged ${TAG}* from an earlier run found; removing them first`);
  removeLeftovers(before);
}

try {
  console.log(
    `pool benchmark: reference range ${REF}; concurrency ${cfg.concurrency}, ${cpus().length} CPUs, ` +
      `load average at start ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );

  // Single deploys of the reference range: the unit the pools are compared with.
  const se = [];
  for (let i = 0; i < SINGLE_REPS; i++) {
    checkpoint();
    se.push(await singleEngine(i));
  }
  const sc = [];
  for (let i = 0; i < SINGLE_REPS; i++) {
    checkpoint();
    sc.push(await singleCli(i));
  }
  const one = {
    d: median(se.map((s) => s.d)),
    x: median(se.map((s) => s.x)),
    cpu: median(se.map((s) => s.cpu)),
    busy: median(se.map((s) => s.busy)),
    cli: median(sc.map((s) => s.d)),
    cliInner: median(sc.map((s) => s.inner)),
    cliX: median(sc.map((s) => s.x)),
  };
  const singleSteps = {};
  for (const k of new Set(se.flatMap((s) => Object.keys(s.steps)))) singleSteps[k] = median(se.map((s) => s.steps[k] ?? Number.NaN));
  console.log(
    `\nOne copy of corp (median of ${SINGLE_REPS}): engine deploy ${f0(one.d)} ms (CPU ${f0(one.cpu)} ms), destroy ${f0(one.x)} ms; ` +
      `CLI deploy ${f0(one.cli)} ms wall (engine inside ${f0(one.cliInner)} ms), CLI destroy ${f0(one.cliX)} ms`,
  );

  // The noise of MemAvailable here: how far it moves in 3 s with nothing of ours happening.
  const a = await steadyMemAvailable();
  await sleep(3000);
  const idleDrift = (meminfo().MemAvailable - a) / 1024;

  const rows = [];
  for (const n of SIZES) {
    const eng = [];
    const cli = [];
    for (let rep = 0; rep < POOL_REPS; rep++) {
      checkpoint();
      eng.push(await enginePool(n, rep));
      checkpoint();
      cli.push(await cliPool(n, rep));
    }
    rows.push({ n, eng, cli });
  }

  const goal = (n) => (n === 30 ? '  goal: 30 copies ≤ 10000 ms' : '');
  console.log(`\nPool deploy, wall ms (median of ${POOL_REPS}); N×1: N × the single deploy above; ratio < 1: copies overlap`);
  console.log(row(['copies', 'hosts', 'engine', 'N×1 eng', 'eng/N×1', 'CLI', 'CLI eng', 'N×1 CLI', 'CLI/N×1', 'ok']));
  for (const r of rows) {
    const ed = median(r.eng.map((x) => x.d));
    const cd = median(r.cli.map((x) => x.d));
    const okE = Math.min(...r.eng.map((x) => x.ok));
    const okC = Math.min(...r.cli.map((x) => x.ok));
    console.log(
      row([
        r.n,
        r.n * REF_RAW.vms.length,
        f0(ed),
        f0(r.n * one.d),
        ratio(ed, r.n * one.d),
        f0(cd),
        f0(median(r.cli.map((x) => x.inner))),
        f0(r.n * one.cli),
        ratio(cd, r.n * one.cli),
        `${okE}+${okC}/${r.n}`,
      ]) + goal(r.n),
    );
  }
  console.log(
    '  (CLI: wall time of `cyrange pool create`; CLI eng: the time it reports itself; N×1 CLI: N × `cyrange deploy` wall, each paying node start-up;\n' +
      '   ok: copies running, engine pool + CLI pool, of N)',
  );
  for (const r of rows)
    for (const e of r.eng)
      if (e.errors.length > 0 || e.retried > 0)
        console.log(`  ${r.n} copies: ${e.retried} retried, failed: ${e.errors.slice(0, 3).join('; ')}`);

  console.log(`\nInside the engine's pool: per copy (copies at once: ceil(concurrency/2) = ${Math.ceil(cfg.concurrency / 2)})`);
  console.log(row(['copies', 'wall/copy', 'span/copy', '1 alone', 'span/1', 'CPU/copy', 'CPU 1', 'CPU/wall', 'cores', 'CLI cores']));
  for (const r of rows) {
    const e = r.eng;
    const d = median(e.map((x) => x.d));
    const cpu = median(e.map((x) => x.cpu));
    console.log(
      row([
        r.n,
        f0(d / r.n),
        f0(median(e.map((x) => x.span))),
        f0(one.d),
        ratio(median(e.map((x) => x.span)), one.d),
        f0(cpu / r.n),
        f0(one.cpu),
        f2(cpu / d),
        f2(median(e.map((x) => x.busy))),
        f2(median(r.cli.map((x) => x.busy))),
      ]),
    );
  }
  console.log(
    `  (span: one copy's first to last deploy step inside the pool, median over copies; CPU: this process + the children it waited for\n` +
      '   (not detached ones: runc init, the metadata servers, nor kernel workers); cores: cores busy on average over the pool deploy,\n' +
      `   every process of the machine counted (others' too), of ${cpus().length}; ${f2(one.busy)} during one copy alone)`,
  );
  const keys = Object.keys(singleSteps);
  const big = rows[rows.length - 1];
  console.log(`\nDeploy steps, ms per copy (mean inside the pool, host:* summed over the 3 hosts) against one copy alone`);
  console.log(row(['step', 'alone', ...rows.map((r) => `${r.n} copies`)], 14));
  for (const k of keys)
    console.log(row([k, f0(singleSteps[k]), ...rows.map((r) => f0(median(r.eng.map((x) => x.stepMeans[k] ?? Number.NaN))))], 14));

  console.log(`\nPool destroy, wall ms (median of ${POOL_REPS})`);
  console.log(row(['copies', 'engine', 'N×1 eng', 'eng/N×1', 'CLI', 'N×1 CLI', 'CLI/N×1']));
  for (const r of rows) {
    const ex = median(r.eng.map((x) => x.x));
    const cx = median(r.cli.map((x) => x.x));
    console.log(row([r.n, f0(ex), f0(r.n * one.x), ratio(ex, r.n * one.x), f0(cx), f0(r.n * one.cliX), ratio(cx, r.n * one.cliX)]));
  }

  console.log(`\nMemory per copy of corp, MiB (engine pool; median of ${POOL_REPS})`);
  console.log(row(['copies', 'MemAvail', 'kernel', 'host RSS', 'host anon', 'svc RSS', 'svc anon', 'procs'], 11));
  for (const r of rows) {
    const e = r.eng;
    const per = (k) => median(e.map((x) => x[k])) / r.n / 1024;
    console.log(
      row(
        [
          r.n,
          f2(per('memDrop')),
          f2(per('kernel')),
          f2(per('hostRss')),
          f2(per('hostAnon')),
          f2(per('svcRss')),
          f2(per('svcAnon')),
          f0(median(e.map((x) => x.procs))),
        ],
        11,
      ),
    );
  }
  console.log(
    `  MemAvail: drop of MemAvailable across createPool / N; kernel: unreclaimable slab + per-cpu + stacks + page tables / N;\n` +
      `  host RSS / anon: Σ VmRSS / RssAnon of the hosts' processes (tini, sleep) / N; svc: the same for the range namespaces' own processes\n  (the metadata server, one node process per range) / N.\n` +
      `  Caveats: MemAvailable counts most page cache as available, so files the deploys write (bundles, upper layers, logs, the database)\n` +
      `  barely move it although they hold memory until reclaimed; it also moves with whatever else runs on the machine (other sessions'\n` +
      `  tests here) and with namespaces of earlier teardowns still being freed. Idle drift over 3 s: ${f1(idleDrift)} MiB = ` +
      `${f2(idleDrift / big.n)} MiB per copy at ${big.n}. VmRSS counts shared file pages (libc, tini) in every process; kernel is the steadiest.`,
  );

  if (process.env.BENCH_RESET !== '0') {
    checkpoint();
    const docker = dockerReady();
    const microvm = microvmReady();
    const skipped = [
      docker ? null : `docker (no ${IMAGE}: run scripts/docker-up.sh)`,
      microvm ? null : `microvm (no ${ASSETS}/manifest.json, qemu-system-x86_64 or mkfs.ext4)`,
    ].filter(Boolean);
    const rs = await resets({ docker, microvm });
    console.log(
      `\nReset of one host (range of one host per runtime on one network, deployed in ${f0(rs.deployMs)} ms), median of ${RESETS} resets, ms` +
        (skipped.length ? `; skipped: ${skipped.join(', ')}` : ''),
    );
    console.log(row(['host', 'reset', 'min..max', 'stop', 'discard', 'start', 'to ping', 'file gone'], 11));
    for (const r of rs.rows)
      console.log(
        row(
          [
            r.runtime === 'netns' ? 'netns' : r.runtime === 'docker' ? 'docker' : 'microvm',
            f0(median(r.total)),
            `${f0(Math.min(...r.total))}..${f0(Math.max(...r.total))}`,
            f0(median(r.stop)),
            f0(median(r.discard)),
            f0(median(r.start)),
            f0(median(r.ping)),
            `${r.gone}/${r.total.length}`,
          ],
          11,
        ) + (r.runtime === 'netns' ? '   goal: sandboxed host ≤ 500 ms' : ''),
      );
    for (const r of rs.rows)
      if (r.hung)
        console.log(
          `  ${r.runtime}: an exec in the host got no answer in ${EXEC_LIMIT_MS / 1000} s (${r.hung}); its remaining resets were skipped`,
        );
    console.log(
      "  reset: engine.reset(I, HOST) wall; stop/discard/start: its own steps (start: boot + wire + configure); to ping: from the reset's start\n" +
        '  until the host answers ping from its gateway; file gone: a file written before each reset was absent after it.\n' +
        '  docker: cyrange-test/busybox:1, recreated from the image; microvm: 160 MiB guest, its qcow2 overlay on a 16 MiB ext4 disk discarded' +
        (cfg.microvmAccel === 'auto' ? ' (accel from the KVM probe)' : ` (accel ${cfg.microvmAccel})`),
    );
    checkpoint();
    const cr = await cliResets();
    console.log(
      `\n\`cyrange reset I HOST\` of a sandboxed netns host, CLI wall (median of ${RESETS}): ${f0(median(cr.wall))} ms ` +
        `(min..max ${f0(Math.min(...cr.wall))}..${f0(Math.max(...cr.wall))}); \`cyrange ls --json\` wall ${f0(median(cr.ls))} ms ` +
        '(node start-up, module loading, store open, exit)   goal: sandboxed host ≤ 500 ms',
    );
  }
  console.log(
    `\nload average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  for (const p of live.enginePools) await engine.destroyPool(p).catch((e) => console.error(`destroy pool ${p}: ${e.message}`));
  for (const r of await engine.list()) await engine.destroy(r.instance).catch((e) => console.error(`destroy ${r.instance}: ${e.message}`));
  for (const p of live.cliPools) await timed([CLI, 'pool', 'destroy', p]);
  for (const i of live.cliRanges) await timed([CLI, 'destroy', i]);
  const left = leftovers();
  if (leftCount(left) > 0) {
    console.log(
      `\nleft behind by Cyrange after its destroys (removed by the benchmark): ${JSON.stringify(
        Object.fromEntries(Object.entries(left).filter(([k, v]) => k !== 'mountPoints' && v.length > 0)),
      )}`,
    );
    removeLeftovers(left);
  }
  await store.close();
  for (const d of [stateDir, cliStateDir, workDir]) rmSync(d, { recursive: true, force: true });
}
