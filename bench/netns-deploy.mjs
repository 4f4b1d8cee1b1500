// Deploy/destroy time of sandboxed netns ranges of 10, 50 and 100 hosts (one range, 4 networks),
// against two floors measured in the same run:
//   floor 1: the range's kernel work done by a minimal hand-written script (`ip -batch` per object
//            class, the same nft tables and metadata listener), each host a bare `sleep` process;
//   floor 2: floor 1's network, but each host started as a plain runc sandbox by a hand-written
//            loop here (mkdir upper/work/rootfs, an overlay over the catalog's base rootfs, a
//            config.json from Cyrange's own sandboxConfig() with the same seccomp filter and
//            sysctls, `runc run --detach` joined to the floor's namespace), with the engine's
//            concurrency (CYRANGE_CONCURRENCY, default 8); torn down with `runc delete --force`.
// Then Cyrange: the engine's deploy (in process) and the CLI's (`bin/cyrange deploy FILE --name X`,
// wall time of the spawned process), each followed by its destroy. Derived: time added per host
// against each floor, and memory per sandboxed host beyond its own processes (see memSample()).
// Figures only, no pass/fail; goals are printed next to them.
// Also: 20 concurrent copies of the firewall example, total time and memory per range
// (BENCH_FIREWALL=0 skips it). Run as root after `npm run build`: node bench/netns-deploy.mjs
// (CYRANGE_DIST=DIR times the CLI of another build, as bin/cyrange runs it; the engine is dist/'s).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, configFromEnv } from '../dist/engine/index.js';
import { hostNetns, loadRawRange, rangeNetns, resolveRange } from '../dist/model/index.js';
import { resolveImageRef } from '../dist/runtimes/images/catalog.js';
import * as runtimes from '../dist/runtimes/index.js';
import { DEFAULT_PIDS_LIMIT, SANDBOX_CAPS, sandboxConfig } from '../dist/runtimes/sandbox/oci-spec.js';
import { RUNC_ROOT } from '../dist/runtimes/sandbox/runc.js';
import { loadSeccompProfile, ociSeccompFromProfile } from '../dist/runtimes/sandbox/seccomp.js';
import { openStore } from '../dist/store/index.js';
import { median, ms, now, timed } from './timing.mjs';
import { cpuMs, kernelKiB, meminfo, processesIn, rmdirTree, steadyMemAvailable } from './proc.mjs';

const stateDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-'));
// The CLI runs with its own store, so the two never share a database file while both are open.
const cliStateDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-cli-'));
// Floor 2's bundles (upper, work, rootfs mount point, config.json per host).
const floorDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-floor-'));
const cfg = { ...configFromEnv(), stateDir };
const store = await openStore({ stateDir });
const engine = new Engine(store, cfg);
const ACTOR = { kind: 'local-root' };
const CLI = new URL('../bin/cyrange', import.meta.url).pathname;
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? '10,50,100').split(',').map(Number);
// Floor 2's cgroups: apart from Cyrange's /cyrange tree, which its gc owns.
const FLOOR_CGROUP = 'cyrbenchfloor';
const BASE_ROOTFS = resolveImageRef(cfg.imagesDir, 'debian-base', 'rootfs');
// The same seccomp filter Cyrange gives its sandboxes: the catalog's profile where this build has one.
const SECCOMP = ociSeccompFromProfile(loadSeccompProfile(runtimes.seccompProfilePath?.(cfg.imagesDir)), SANDBOX_CAPS);
const PROC_SYS = readdirSync('/proc/sys');

function rawBlueprint(name, hosts) {
  const networks = [0, 1, 2, 3].map((i) => ({ name: `n${i}`, subnet: `10.${i}.0.0/22` }));
  const vms = Array.from({ length: hosts }, (_, i) => ({ name: `h${i}`, interfaces: [{ network: `n${i % 4}` }] }));
  return { name, networks, vms };
}

function blueprint(name, hosts, instance) {
  return resolveRange(loadRawRange(JSON.stringify(rawBlueprint(name, hosts))), instance ? { instance } : undefined);
}

function sh(argv, input) {
  execFileSync(argv[0], argv.slice(1), { input, stdio: ['pipe', 'ignore', 'inherit'] });
}

async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

// With `logFile`, the command's stdout and stderr go to that file: `runc run --detach` hands its
// own stdio to the sandbox, so a pipe would never close (Cyrange gives it a log file too).
function runAsync(argv, input, { allowFailure = false, logFile } = {}) {
  return new Promise((res, rej) => {
    const fd = logFile ? openSync(logFile, 'a') : null;
    const c = spawn(argv[0], argv.slice(1), { stdio: ['pipe', fd ?? 'ignore', fd ?? 'pipe'] });
    if (fd !== null) closeSync(fd);
    let err = '';
    c.stderr?.on('data', (b) => {
      err += b;
    });
    c.on('error', rej);
    c.on(logFile ? 'exit' : 'close', (code) => {
      if (code === 0 || allowFailure) return res(code);
      if (logFile) err = readFileSync(logFile, 'utf8').split('\n').slice(-3).join('; ');
      rej(new Error(`${argv.join(' ')}: exit ${code}: ${err.trim()}`));
    });
    c.stdin.on('error', () => {});
    c.stdin.end(input ?? '');
  });
}

const HOST_INIT =
  'echo 0 > /proc/sys/net/ipv4/ip_forward; for f in all default; do echo 2 > /proc/sys/net/ipv4/conf/$f/rp_filter; echo 1 > /proc/sys/net/ipv6/conf/$f/disable_ipv6; done; exec "$@"';

// ---- floor 1 and floor 2 -------------------------------------------------------------------

/** Floor 1's host start: the same per-host sysctls Cyrange sets (a new namespace inherits the root's), then the command. */
async function startBare(f, _h, ns) {
  const c = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', '/bin/sh', '-c', HOST_INIT, 'sh', 'sleep', 'infinity'], {
    detached: true,
    stdio: 'ignore',
  });
  c.unref();
  f.pids.push(c.pid);
}

/** Floor 2's host start: a plain runc sandbox over an overlay of the base rootfs, in the floor's namespace. */
async function startRunc(f, h, ns) {
  const dir = join(floorDir, f.instance, h.name);
  const [upper, work, rootfs] = ['upper', 'work', 'rootfs'].map((d) => join(dir, d));
  for (const d of [upper, work, rootfs]) mkdirSync(d, { recursive: true, mode: 0o700 });
  await runAsync([
    'mount',
    '-t',
    'overlay',
    `cyrfloor:${f.instance}:${h.name}`,
    '-o',
    `lowerdir=${BASE_ROOTFS},upperdir=${upper},workdir=${work}`,
    rootfs,
  ]);
  f.mounts.push(rootfs);
  const config = sandboxConfig({
    hostname: h.name,
    args: ['/usr/bin/tini', '--', 'sleep', 'infinity'],
    env: {},
    rootfs,
    netnsPath: `/run/netns/${ns}`,
    cgroupsPath: `/${FLOOR_CGROUP}/${f.instance}/${h.name}`,
    memoryBytes: h.resources.memoryBytes,
    cpus: h.resources.cpus,
    pidsLimit: DEFAULT_PIDS_LIMIT,
    sysctl: {
      'net.ipv4.ip_forward': '0',
      'net.ipv4.conf.all.rp_filter': '2',
      'net.ipv4.conf.default.rp_filter': '2',
      'net.ipv6.conf.all.disable_ipv6': '1',
      'net.ipv6.conf.default.disable_ipv6': '1',
    },
    seccomp: SECCOMP,
    procSysEntries: PROC_SYS,
  });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  f.sandboxes.push(ns);
  const pidFile = join(dir, 'pid');
  await runAsync(['runc', '--root', RUNC_ROOT, 'run', '--detach', '--pid-file', pidFile, '--bundle', dir, ns], '', {
    logFile: join(dir, 'log'),
  });
  f.inits.push(Number(readFileSync(pidFile, 'utf8')));
}

// The floors: one batch per object class, hosts configured and started with the same parallelism,
// plus the same firewall and metadata listener: only the kernel and process work, no bookkeeping.
async function floorDeploy(range, startHost, f) {
  sh(['ip', '-batch', '-'], [f.R, ...f.hostNs].map((n) => `netns add ${n}`).join('\n') + '\n');
  f.netns = true;
  sh([
    'nsenter',
    `--net=/run/netns/${f.R}`,
    'sysctl',
    '-q',
    '-e',
    '-w',
    'net.ipv4.ip_forward=0',
    'net.ipv4.conf.all.rp_filter=2',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.bridge.bridge-nf-call-iptables=0',
  ]);
  const lines = ['link set lo up'];
  for (const n of range.networks)
    lines.push(`link add ${n.bridge} type bridge`, `addr add ${n.gateway}/${n.prefix} dev ${n.bridge}`, `link set ${n.bridge} up`);
  range.hosts.forEach((h, i) => {
    for (const nic of h.interfaces) {
      const br = range.networks.find((n) => n.name === nic.network).bridge;
      lines.push(
        `link add ${nic.peer} type veth peer name ${nic.ifname} address ${nic.mac} netns ${f.hostNs[i]}`,
        `link set ${nic.peer} master ${br} up`,
      );
    }
  });
  sh(['ip', '-n', f.R, '-batch', '-'], lines.join('\n') + '\n');
  // The same nft work: the routing table, and anti-spoofing rules for every NIC in a bridge table.
  const spoof = range.hosts.flatMap((h) =>
    h.interfaces.flatMap((n) => [
      `iifname "${n.peer}" ether saddr != ${n.mac} drop`,
      `iifname "${n.peer}" ether type ip ip saddr != ${n.ip} drop`,
      `iifname "${n.peer}" ether type arp arp saddr ip != ${n.ip} drop`,
    ]),
  );
  sh(
    ['nsenter', `--net=/run/netns/${f.R}`, 'nft', '-f', '-'],
    `table inet f {\n chain forward { type filter hook forward priority filter; policy drop; }\n}\ntable bridge f {\n chain spoof { type filter hook prerouting priority -200; policy accept;\n${spoof.join('\n')}\n }\n}\n`,
  );
  // The metadata listener: an address on lo and one socat.
  sh(['ip', '-n', f.R, 'addr', 'add', '169.254.169.254/32', 'dev', 'lo']);
  const md = spawn(
    'nsenter',
    [`--net=/run/netns/${f.R}`, '--', 'socat', 'TCP-LISTEN:80,bind=169.254.169.254,fork,reuseaddr', 'EXEC:/bin/true'],
    { detached: true, stdio: 'ignore' },
  );
  md.unref();
  f.pids.push(md.pid);
  await pool(
    range.hosts.map((h, i) => [h, f.hostNs[i]]),
    cfg.concurrency,
    async ([h, ns]) => {
      const l = ['link set lo up'];
      for (const nic of h.interfaces) l.push(`addr add ${nic.ip}/${nic.prefix} dev ${nic.ifname}`, `link set ${nic.ifname} up`);
      l.push(`route add default via ${h.interfaces[0].gateway}`);
      await runAsync(['ip', '-n', ns, '-batch', '-'], l.join('\n') + '\n');
      await startHost(f, h, ns);
    },
  );
  return f;
}

function floorState(range, tag) {
  return {
    instance: `${tag}${range.instance}`,
    R: `cyrfloor_${tag}${range.instance}`,
    hostNs: range.hosts.map((h) => `cyrfloor_${tag}${range.instance}_${h.name}`),
    pids: [],
    sandboxes: [],
    inits: [],
    mounts: [],
    netns: false,
  };
}

/**
 * Tears a floor down the way Cyrange does, without its bookkeeping: SIGKILL every host init (its
 * PID namespace dies with it) and wait for them, then `runc delete` (fast on a stopped sandbox:
 * on a running one runc polls for the kill, ~100 ms each) and umount with the engine's
 * concurrency, then the namespaces in one batch and the cgroup parents.
 */
async function floorDestroy(f) {
  for (const p of f.inits)
    try {
      process.kill(p, 'SIGKILL');
    } catch {}
  for (let i = 0; i < 500 && f.inits.some(alive); i++) await new Promise((r) => setTimeout(r, 5));
  await pool([...f.sandboxes], cfg.concurrency, (id) =>
    runAsync(['runc', '--root', RUNC_ROOT, 'delete', '--force', id], '', { allowFailure: true }),
  );
  await pool([...f.mounts], cfg.concurrency, async (m) => {
    if ((await runAsync(['umount', m], '', { allowFailure: true })) !== 0)
      await runAsync(['umount', '--lazy', m], '', { allowFailure: true });
  });
  for (const p of f.pids)
    try {
      process.kill(p, 'SIGKILL');
    } catch {}
  if (f.netns) sh(['ip', '-force', '-batch', '-'], [f.R, ...f.hostNs].map((n) => `netns del ${n}`).join('\n') + '\n');
  if (f.sandboxes.length > 0) {
    removeFloorCgroups(f.instance);
    rmSync(join(floorDir, f.instance), { recursive: true, force: true });
  }
  f.sandboxes = [];
  f.inits = [];
  f.mounts = [];
  f.pids = [];
  f.netns = false;
}

function alive(pid) {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** runc removes each sandbox's own cgroup; the parents (/cyrbenchfloor/<instance>) are ours to remove. */
function removeFloorCgroups(instance) {
  for (const h of readdirSync('/sys/fs/cgroup')) {
    rmdirTree(join('/sys/fs/cgroup', h, FLOOR_CGROUP, instance));
    try {
      rmdirSync(join('/sys/fs/cgroup', h, FLOOR_CGROUP));
    } catch {}
  }
}

// ---- memory --------------------------------------------------------------------------------

const sleep = (t) => new Promise((r) => setTimeout(r, t));

/**
 * Memory per host beyond its own processes: the drop of MemAvailable across a deploy, minus the
 * VmRSS sum of the processes in the hosts' namespaces (tini + sleep; the bare sleep in floor 1),
 * divided by the host count. What it includes: namespaces, veths, nft rules, overlay mounts and
 * their upper layers' metadata, cgroups, runc's state, and the range's own service processes
 * (metadata listener, reported apart as "services") spread over its hosts.
 * Page cache caveat: MemAvailable counts most page cache as available, so the files a deploy
 * writes or reads on disk (config.json with its seccomp filter, upper layers, logs, the database,
 * the rootfs' binaries) barely move it although they do take memory until reclaimed; and the
 * kernel's estimate of reclaimable cache shifts with whatever else the machine does meanwhile
 * (other sessions' tests here), and with namespaces of the previous teardown still being freed
 * by the kernel's cleanup worker. The idle drift printed with the figures is that noise.
 * VmRSS also counts shared, file-backed pages (libc, tini, sleep) in every process although the
 * machine holds them once, as page cache that MemAvailable already counts as available; so
 * subtracting VmRSS under-states the overhead, and the figure with only RssAnon (each process'
 * private memory) subtracted is printed next to it as the upper reading. The kernel column
 * (unreclaimable slab + per-cpu + stacks + page tables) is the least noisy reading.
 */
async function memSample(hostNames, rangeNs, n, deployFn) {
  const before = await steadyMemAvailable();
  const k0 = kernelKiB();
  const r = await deployFn();
  const after = await steadyMemAvailable();
  const kernel = (kernelKiB() - k0) / n / 1024;
  const p = processesIn(hostNames);
  const svc = processesIn([rangeNs]);
  const drop = before - after;
  return {
    r,
    perHostRss: (drop - p.rss) / n / 1024,
    perHostAnon: (drop - p.anon) / n / 1024,
    kernel,
    services: svc.rss / n / 1024,
    procs: p.count,
    procRss: p.rss / p.count,
  };
}

// ---- the run -------------------------------------------------------------------------------

const pad = (s, w) => String(s).padStart(w);
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const row = (cells, w = 9) => cells.map((c, i) => (i === 0 ? String(c).padEnd(w) : pad(c, w))).join('');

const live = { floors: [], cli: [] };
/** Leftover runc state of this benchmark's instances after their destroy (a Cyrange leak, reported). */
const leaks = [];

/** Sandboxes under runc's root named after this benchmark's instances (read from its state directory, no runc call). */
function benchSandboxes() {
  try {
    return readdirSync(RUNC_ROOT).filter((id) => /^(cyr_bench|cyr_bcli|cyrfloor_)/.test(id));
  } catch {
    return [];
  }
}

/** One timed deploy + destroy of each kind, appended to `t`; memory too when `measureMem`. */
async function oneRep(t, n, rep, measureMem) {
  const r = blueprint(`bench${n}r${rep}`, n);
  for (const [key, tag, start] of [
    ['f1', 'a', startBare],
    ['f2', 'b', startRunc],
  ]) {
    const f = floorState(r, tag);
    live.floors.push(f);
    const go = async () => {
      const c0 = cpuMs();
      const t0 = now();
      await floorDeploy(r, start, f);
      return { ms: ms(t0), cpu: cpuMs() - c0 };
    };
    const d = measureMem ? await memSample(f.hostNs, f.R, n, go) : { r: await go() };
    t[key].d.push(d.r.ms);
    t[key].cpu.push(d.r.cpu);
    if (measureMem) t[key].mem.push(d);
    const t0 = now();
    await floorDestroy(f);
    t[key].x.push(ms(t0));
  }

  const go = async () => {
    const c0 = cpuMs();
    const t0 = now();
    const res = await engine.deploy(r, '', null, ACTOR);
    return { ms: ms(t0), cpu: cpuMs() - c0, res };
  };
  const names = r.hosts.map((h) => hostNetns(r.instance, h.name));
  const d = measureMem ? await memSample(names, rangeNetns(r.instance), n, go) : { r: await go() };
  t.eng.d.push(d.r.ms);
  t.eng.cpu.push(d.r.cpu);
  if (measureMem) t.eng.mem.push(d);
  t.steps.push(d.r.res.steps);
  const t0 = now();
  const x = await engine.destroy(r.instance);
  t.eng.x.push(ms(t0));
  t.xsteps.push(x.steps);

  // The CLI end to end: a blueprint file, `cyrange deploy FILE --name X`, then `cyrange destroy X`.
  const inst = `bcli${n}r${rep}`;
  const file = join(cliStateDir, `${inst}.json`);
  writeFileSync(file, JSON.stringify(rawBlueprint('bench', n)));
  const env = { ...process.env, CYRANGE_STATE_DIR: cliStateDir };
  live.cli.push(inst);
  const c0 = cpuMs();
  const dep = await timed([CLI, 'deploy', file, '--name', inst], env);
  if (dep.code !== 0) throw new Error(`cyrange deploy failed (${dep.code}): ${dep.err.trim().split('\n').slice(-5).join('; ')}`);
  t.cli.d.push(dep.ms);
  t.cli.cpu.push(cpuMs() - c0);
  t.cliEngine.push(Number(/in (\d+) ms/.exec(dep.out)?.[1] ?? Number.NaN));
  const des = await timed([CLI, 'destroy', inst], env);
  if (des.code !== 0) throw new Error(`cyrange destroy failed (${des.code}): ${des.err.trim()}`);
  live.cli = live.cli.filter((i) => i !== inst);
  t.cli.x.push(des.ms);

  // Whatever runc state the destroys left behind: reported, then removed.
  for (const id of benchSandboxes()) {
    leaks.push(id);
    await runAsync(['runc', '--root', RUNC_ROOT, 'delete', '--force', id], '', { allowFailure: true });
  }
}

try {
  console.log(
    `netns deploy benchmark: sandboxed hosts (runc ${runcVersion()}), 1 range of 4 networks, ${REPS} reps each, median shown, ` +
      `concurrency ${cfg.concurrency}, ${cpus().length} CPUs, load average at start ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  const rows = [];
  let idleDrift = Number.NaN;
  for (const n of SIZES) {
    const kinds = () => ({ d: [], x: [], cpu: [], mem: [] });
    const t = { f1: kinds(), f2: kinds(), eng: kinds(), cli: kinds(), cliEngine: [], steps: [], xsteps: [] };
    const measureMem = n === SIZES[SIZES.length - 1];
    if (measureMem) {
      // The noise of MemAvailable here: how far it moves in 3 s with nothing of ours happening.
      const a = await steadyMemAvailable();
      await sleep(3000);
      idleDrift = (meminfo().MemAvailable - a) / 1024;
    }
    for (let rep = 0; rep < REPS; rep++) await oneRep(t, n, rep, measureMem);
    const med = (k) => ({ d: median(t[k].d), x: median(t[k].x), cpu: median(t[k].cpu), mem: t[k].mem });
    rows.push({
      n,
      f1: med('f1'),
      f2: med('f2'),
      eng: med('eng'),
      cli: med('cli'),
      cliEngine: median(t.cliEngine),
      steps: t.steps,
      xsteps: t.xsteps,
    });
  }

  const ratio = (a, b) => `${f2(a / b)}x`;
  console.log('\nDeploy, wall ms (median). floor1: ip -batch + bare processes; floor2: floor1 network + hand-made runc sandboxes');
  console.log(row(['hosts', 'floor1', 'floor2', 'engine', 'CLI', 'CLI eng', 'eng/f1', 'eng/f2', 'CLI/f1', 'CLI/f2']));
  for (const r of rows)
    console.log(
      row([
        r.n,
        f0(r.f1.d),
        f0(r.f2.d),
        f0(r.eng.d),
        f0(r.cli.d),
        f0(r.cliEngine),
        ratio(r.eng.d, r.f1.d),
        ratio(r.eng.d, r.f2.d),
        ratio(r.cli.d, r.f1.d),
        ratio(r.cli.d, r.f2.d),
      ]),
    );
  console.log('  (CLI eng: the engine time the CLI itself reports; CLI − CLI eng is node start-up, module loading, store open and exit)');

  console.log('\nDestroy, wall ms (median)');
  console.log(row(['hosts', 'floor1', 'floor2', 'engine', 'CLI', 'eng/f1', 'eng/f2', 'CLI/f2']));
  for (const r of rows)
    console.log(
      row([r.n, f0(r.f1.x), f0(r.f2.x), f0(r.eng.x), f0(r.cli.x), ratio(r.eng.x, r.f1.x), ratio(r.eng.x, r.f2.x), ratio(r.cli.x, r.f2.x)]),
    );

  console.log('\nAdded per host on deploy, ms: (Cyrange − floor)/N                     goal: ≤ 25 ms added per host');
  console.log(row(['hosts', 'f2−f1', 'eng−f1', 'eng−f2', 'CLI−f1', 'CLI−f2']));
  for (const r of rows)
    console.log(
      row([
        r.n,
        f1((r.f2.d - r.f1.d) / r.n),
        f1((r.eng.d - r.f1.d) / r.n),
        f1((r.eng.d - r.f2.d) / r.n),
        f1((r.cli.d - r.f1.d) / r.n),
        f1((r.cli.d - r.f2.d) / r.n),
      ]),
    );
  console.log('  (f2−f1: a hand-made runc sandbox over a bare process; eng−f2, CLI−f2: Cyrange over a hand-made sandboxed deploy)');

  console.log(
    `\nCPU per host on deploy, ms (median; this process + the children it waited for; ${cpus().length} CPUs bound the wall time)`,
  );
  console.log(row(['hosts', 'floor1', 'floor2', 'engine', 'CLI', 'eng/f2', 'CLI/f2']));
  for (const r of rows)
    console.log(
      row([
        r.n,
        f1(r.f1.cpu / r.n),
        f1(r.f2.cpu / r.n),
        f1(r.eng.cpu / r.n),
        f1(r.cli.cpu / r.n),
        ratio(r.eng.cpu, r.f2.cpu),
        ratio(r.cli.cpu, r.f2.cpu),
      ]),
    );

  const big = rows[rows.length - 1];
  console.log(
    `\n${big.n} sandboxed hosts end to end from the CLI: ${f0(big.cli.d)} ms (engine inside the CLI ${f0(big.cliEngine)} ms, the rest ${f0(big.cli.d - big.cliEngine)} ms)   goal: ≤ 1500 ms`,
  );

  // Where the engine's time goes at the largest size: its own step timings (median over reps).
  const stepMed = (runs, pick) => median(runs.map((s) => pick(s)));
  const hostSteps = (s) => s.filter((x) => x.step.startsWith('host:')).map((x) => x.ms);
  const one = (name) => (s) => s.find((x) => x.step === name)?.ms ?? Number.NaN;
  console.log(
    `engine steps at ${big.n} hosts, ms: network ${f0(stepMed(big.steps, one('network')))}, metadata ${f0(stepMed(big.steps, one('metadata')))} (alongside), ` +
      `hosts:create ${f0(stepMed(big.steps, one('hosts:create')))}, hosts:boot ${f0(stepMed(big.steps, one('hosts:boot')))}, hosts:wire ${f0(stepMed(big.steps, one('hosts:wire')))}, ` +
      `host:<name> ${f0(stepMed(big.steps, (s) => median(hostSteps(s))))} each (median; ${cfg.concurrency} at a time); ` +
      `destroy: teardown ${f0(stepMed(big.xsteps, one('teardown')))}, forget ${f0(stepMed(big.xsteps, one('forget')))}`,
  );

  const mm = (k) => {
    const xs = big[k].mem;
    const per = xs.map((x) => x.perHostRss);
    return {
      rss: median(per),
      lo: Math.min(...per),
      hi: Math.max(...per),
      anon: median(xs.map((x) => x.perHostAnon)),
      kernel: median(xs.map((x) => x.kernel)),
      services: median(xs.map((x) => x.services)),
      procs: median(xs.map((x) => x.procs)),
      procRss: median(xs.map((x) => x.procRss)) / 1024,
    };
  };
  console.log(
    `\nMemory per host beyond its own processes at ${big.n} hosts, MiB (median of ${REPS}): (MemAvailable drop − Σ VmRSS of the hosts' processes) / N`,
  );
  console.log(row(['', 'per host', 'min..max', '(−anon)', 'kernel', 'services', 'procs', 'RSS/proc'], 11));
  for (const [k, label] of [
    ['f1', 'floor1'],
    ['f2', 'floor2'],
    ['eng', 'engine'],
  ]) {
    const v = mm(k);
    console.log(
      row([label, f2(v.rss), `${f1(v.lo)}..${f1(v.hi)}`, f2(v.anon), f2(v.kernel), f2(v.services), f0(v.procs), f2(v.procRss)], 11) +
        (k === 'eng' ? '   goal: ≤ 1 MiB per host' : ''),
    );
  }
  const e = mm('eng');
  const f = mm('f2');
  console.log(
    `  engine − floor2: ${f2(e.rss - f.rss)} MiB per host (kernel ${f2(e.kernel - f.kernel)}). Idle drift of MemAvailable over 3 s: ${f1(idleDrift)} MiB = ${f2(idleDrift / big.n)} MiB per host.\n` +
      "  (−anon): only the processes' private memory subtracted (upper reading); kernel: unreclaimable slab + per-cpu + stacks + page tables;\n" +
      "  services: RSS of the range namespace's own processes (metadata listener) per host, inside 'per host'. Page cache caveat: see memSample().",
  );
  if (leaks.length > 0)
    console.log(
      `\nrunc state left behind by Cyrange's destroy (removed by the benchmark): ${leaks.length} sandboxes, e.g. ${leaks.slice(0, 3).join(', ')}`,
    );

  if (process.env.BENCH_FIREWALL !== '0') await firewallCopies();
} finally {
  for (const f of live.floors) await floorDestroy(f).catch(() => {});
  for (const inst of live.cli) await timed([CLI, 'destroy', inst], { ...process.env, CYRANGE_STATE_DIR: cliStateDir }).catch(() => {});
  for (const r of await engine.list()) await engine.destroy(r.instance).catch(() => {});
  const left = benchSandboxes();
  for (const id of left) await runAsync(['runc', '--root', RUNC_ROOT, 'delete', '--force', id], '', { allowFailure: true });
  if (left.length > 0)
    console.log(`runc state left behind at the end (removed): ${left.length} sandboxes, e.g. ${left.slice(0, 3).join(', ')}`);
  await store.close();
  for (const d of [stateDir, cliStateDir, floorDir]) rmSync(d, { recursive: true, force: true });
}

function runcVersion() {
  try {
    return /runc version (\S+)/.exec(execFileSync('runc', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

// 20 concurrent copies of the firewall example.
async function firewallCopies() {
  const src = readFileSync(new URL('../examples/firewall.yaml', import.meta.url), 'utf8');
  const raw = loadRawRange(src);
  const copies = Array.from({ length: 20 }, (_, i) => resolveRange(raw, { instance: `benchfw${i}` }));
  // Memory beyond the hosts' own processes: kernel memory for namespaces, bridges, veths and
  // nft tables (unreclaimable slab + per-cpu), plus the range's service processes (dnsmasq and
  // DHCP clients; their proportional set size), averaged per range.
  const k0 = kernelKiB();
  let t = now();
  await Promise.all(copies.map((r) => engine.deploy(r, src, null, ACTOR)));
  const total = ms(t);
  await new Promise((r) => setTimeout(r, 300));
  const kernel = (kernelKiB() - k0) / copies.length;
  const services = servicesPssKiB() / copies.length;
  t = now();
  await Promise.all(copies.map((r) => engine.destroy(r.instance)));
  const tDestroy = ms(t);
  console.log(
    `\n20 concurrent firewall copies (${copies.length * copies[0].hosts.length} hosts): deploy ${total.toFixed(0)} ms total, destroy ${tDestroy.toFixed(0)} ms; ` +
      `memory per range beyond its host processes ≈ ${((kernel + services) / 1024).toFixed(2)} MiB (kernel ${(kernel / 1024).toFixed(2)} MiB, services (dnsmasq, DHCP client, metadata) ${(services / 1024).toFixed(2)} MiB)`,
  );
}

// PSS of every service process a benchmark range started: dnsmasq, udhcpc, the metadata listener.
function servicesPssKiB() {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('benchfw') && !cmd.startsWith('busybox\0udhcpc') && !cmd.includes('169.254.169.254')) continue;
      if (!/^(dnsmasq|busybox\0udhcpc|nsenter|socat)/.test(cmd)) continue;
      sum += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return sum;
}
