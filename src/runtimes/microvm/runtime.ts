import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import {
  type ProcRef,
  type SystemUser,
  inNetns,
  isAlive,
  minimalEnv,
  netnsExists,
  procStartTime,
  readPidfile,
  removePidfile,
  run,
  spawnDetached,
  terminate,
  writePidfile,
  waitFor,
  execStreams,
  forwardInput,
} from '../../sys/index.js';
import {
  CyrangeError,
  type ResolvedHost,
  type ResolvedInterface,
  rangeNetns,
  renderGuestConfig,
  renderKernelCmdline,
  renderIpArg,
  shellQuote,
  MICROVM_DEFAULTS,
} from '../../model/index.js';
import { joinHostCgroup } from '../cgroups.js';
import { copyTree } from '../copy-tree.js';
import { tapNics } from '../nics/tap.js';
import type { ConsoleSession, ExecOptions, MicrovmSettings, RangeContext, Runtime } from '../runtime.js';
import { chooseAccel } from './accel.js';
import { bootFiles, diskFormat } from './assets.js';
import { ControlChannel } from './channel.js';
import type { Launcher, LaunchSpec, VmNic } from './launcher.js';
import { QEMU, qemuLauncher } from './qemu.js';
import { Qmp } from './qmp.js';
import { asUser, vmUser } from './vm-user.js';

const DEFAULT_MEMORY_MB = 256;
/** Used when the caller has no configuration (TCG, several guests per core). */
const EXEC_TIMEOUT_MS = 10 * 60_000;
/** How long a stopped QEMU may take to exit after SIGKILL before teardown reports it. */
const EXIT_TIMEOUT_MS = 30_000;
/** How long an exited QEMU is waited for to be reaped (by us, or by init once we are not its parent). */
const REAP_TIMEOUT_MS = 5_000;

const launchers = new Map<string, Launcher>([[qemuLauncher.name, qemuLauncher]]);

/** microVM launchers this machine runs, by name (firecracker is reserved for its driver). */
export const MICROVM_LAUNCHERS: readonly string[] = [...launchers.keys()];

function launcherOf(host: ResolvedHost): Launcher {
  const name = host.microvm?.launcher ?? 'qemu';
  const l = launchers.get(name);
  if (!l)
    throw new CyrangeError(
      'CYR_UNAVAILABLE',
      `host "${host.name}": microvm launcher "${name}" is not available on this machine (available: qemu)`,
    );
  return l;
}

/** What QEMU itself creates or reads in its guest directory, by name relative to it (its working directory). */
const VM_FILES = { control: 'ctl', console: 'console', monitor: 'qmp', serialLog: 'serial.log', guestConfig: 'guest.conf' } as const;

/**
 * Files of one guest. The pid file, `vm.json` and QEMU's output (`vm.log`) are root's, in the
 * instance's run directory; QEMU's sockets, serial log and guest config are in the guest directory
 * `vm-<host>/`, owned by the VM user (mode 0700). The disk overlay is per-host data.
 */
function files(ctx: RangeContext, host: string) {
  const f = (s: string) => join(ctx.runDir, `${host}.${s}`);
  const dir = join(ctx.runDir, `vm-${host}`);
  const v = (s: string) => join(dir, s);
  return {
    pid: f('vm.pid'),
    meta: f('vm.json'),
    log: f('vm.log'),
    dir,
    control: v(VM_FILES.control),
    console: v(VM_FILES.console),
    monitor: v(VM_FILES.monitor),
    serialLog: v(VM_FILES.serialLog),
    guestConfig: v(VM_FILES.guestConfig),
    data: join(ctx.dataDir, host),
    overlay: join(ctx.dataDir, host, 'disk.qcow2'),
  };
}

/** Makes the guest directory, owned by the VM user and closed to everyone else. */
function prepareVmDir(dir: string, user: SystemUser): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!lstatSync(dir).isDirectory()) throw new CyrangeError('CYR_RUNTIME', `${dir} is not a directory`);
  chownSync(dir, user.uid, user.gid);
  chmodSync(dir, 0o700);
}

/**
 * Writes a file root makes in the VM user's directory: a fresh file, never through a link the user
 * may have put in its place.
 */
function writeFresh(path: string, data: string): void {
  rmSync(path, { force: true });
  writeFileSync(path, data, { flag: 'wx', mode: 0o644 });
}

/**
 * The host's disk overlay over `base`, made once and kept across stop and start (destroy removes
 * it). It stays root's: QEMU gets it, like the base, as an open descriptor.
 */
async function ensureOverlay(overlay: string, base: string): Promise<void> {
  if (existsSync(overlay)) return;
  mkdirSync(dirname(overlay), { recursive: true, mode: 0o700 });
  const tmp = `${overlay}.tmp`;
  rmSync(tmp, { force: true });
  await run(['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', diskFormat(base), '-b', resolve(base), tmp], { env: minimalEnv() });
  chmodSync(tmp, 0o600);
  renameSync(tmp, overlay);
}

/**
 * Where a started VM is placed under resource control (its cgroup: memory, CPU, PIDs). Runs right
 * after QEMU starts, before the guest is waited for.
 */
async function placeVm(ctx: RangeContext, host: ResolvedHost, ref: ProcRef): Promise<void> {
  // Under the range's cgroup, so a range-level cap holds over its VMs too; before the guest touches its RAM.
  joinHostCgroup(ctx.instance, host.name, ref.pid);
}

/** Where a process we started is: still running, exited but not reaped (a zombie), or gone (or its PID reused). */
function exitState(ref: ProcRef): 'running' | 'zombie' | 'gone' {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${ref.pid}/stat`, 'utf8');
  } catch {
    return 'gone';
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[19] !== ref.start) return 'gone';
  return fields[0] === 'Z' || fields[0] === 'X' ? 'zombie' : 'running';
}

/**
 * Resolves once the processes are gone from /proc: reaped by us (the CLI that started them) or by
 * init. A zombie nobody reaps within REAP_TIMEOUT_MS counts as gone, as it holds no memory or
 * descriptors (TAPs, sockets, disks); a process still running after EXIT_TIMEOUT_MS is an error.
 */
async function waitGone(refs: readonly ProcRef[]): Promise<void> {
  const since = Date.now();
  const gone = () => {
    const states = refs.map(exitState);
    return !states.includes('running') && (!states.includes('zombie') || Date.now() - since > REAP_TIMEOUT_MS);
  };
  if (await waitFor(gone, { timeoutMs: EXIT_TIMEOUT_MS })) return;
  const running = refs.filter((r) => exitState(r) === 'running');
  if (running.length > 0)
    throw new CyrangeError('CYR_TIMEOUT', `QEMU process ${running.map((r) => r.pid).join(', ')} did not exit in ${EXIT_TIMEOUT_MS} ms`);
}

function settingsOf(ctx: RangeContext): MicrovmSettings {
  return ctx.microvm ?? MICROVM_DEFAULTS;
}

function tagOf(instance: string, host: string): string {
  return `cyrange:${instance}:${host}`;
}

function vmNic(nic: ResolvedInterface): VmNic {
  return { id: nic.peer, tap: nic.peer, mac: nic.mac };
}

function liveRef(ctx: RangeContext, host: ResolvedHost): ProcRef | null {
  const ref = readPidfile(files(ctx, host.name).pid);
  return ref && isAlive(ref) ? ref : null;
}

/** QEMU processes on this machine whose ownership tag names an instance: pid, instance, host. */
function taggedVms(): Array<{ pid: number; instance: string; host: string }> {
  const out: Array<{ pid: number; instance: string; host: string }> = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const i = argv.indexOf('-name');
    const m = i >= 0 ? /^guest=cyrange:([a-z0-9-]+):([a-z0-9-]+)$/.exec(argv[i + 1] ?? '') : null;
    if (m) out.push({ pid: Number(d), instance: m[1] as string, host: m[2] as string });
  }
  return out;
}

/** Whether the guest boots its disk's own init (systemd, cloud-init): it runs no Cyrange agent, so no control channel answers. */
function ownInit(host: ResolvedHost): boolean {
  return host.microvm?.init === 'disk';
}

async function withChannel<T>(ctx: RangeContext, host: ResolvedHost, fn: (c: ControlChannel) => Promise<T>): Promise<T> {
  if (ownInit(host))
    throw new CyrangeError('CYR_CONFLICT', `host "${host.name}": this guest runs its own init: use ssh or the console`, {
      hint: `cyrange console ${ctx.instance} ${host.name}`,
    });
  if (!liveRef(ctx, host))
    throw new CyrangeError('CYR_CONFLICT', `host "${host.name}" is not running`, {
      hint: `cyrange host start ${ctx.instance} ${host.name}`,
    });
  const c = await ControlChannel.open(files(ctx, host.name).control);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/** Attaches to the guest's serial console socket. */
function openConsole(ctx: RangeContext, host: ResolvedHost): Promise<ConsoleSession> {
  const path = files(ctx, host.name).console;
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('error', (e) => reject(new CyrangeError('CYR_RUNTIME', `host "${host.name}": console ${path}: ${e.message}`)));
    s.once('connect', () => {
      // A fresh prompt, as the shell may have printed its last one long ago.
      s.write('\n');
      resolve({
        write: (d) => s.write(d),
        // A serial line has no window size; the guest keeps 80x24.
        resize: () => {},
        onData: (cb) => s.on('data', cb),
        onExit: (cb) => s.on('close', () => cb(0)),
        close: () => s.destroy(),
      });
    });
  });
}

/** Interactive console on the caller's terminal; Ctrl-] detaches. */
async function attachTerminal(ctx: RangeContext, host: ResolvedHost, opts: ExecOptions): Promise<number> {
  const session = await openConsole(ctx, host);
  const { stdin, stdout } = execStreams(opts);
  return new Promise((resolve) => {
    const detach = forwardInput(stdin, (d) => (d.includes(0x1d) ? session.close() : session.write(d)));
    session.onData((d) => stdout.write(d));
    session.onExit(() => {
      detach();
      resolve(0);
    });
  });
}

/** Hot-plugs a NIC (its TAP made) into a running VM and configures it in the guest. */
async function plugNic(ctx: RangeContext, host: ResolvedHost, nic: ResolvedInterface): Promise<void> {
  const f = files(ctx, host.name);
  await launcherOf(host).plugNic(f.monitor, vmNic(nic));
  // A guest on its own init configures hot-plugged NICs itself (udev, its network config).
  if (ownInit(host)) return;
  // The guest names the new NIC by its MAC and configures it, as at boot.
  const words = [`cyrange.mac=${nic.ifname},${nic.mac}`, renderIpArg({ ...host, interfaces: [nic] })];
  const script = [
    `for i in $(seq 50); do grep -qx ${shellQuote(nic.mac)} /sys/class/net/*/address && break; usleep 100000; done`,
    `. /lib/cyrange/netcfg.sh && NETCFG_NO_METADATA=1 netcfg_apply ${shellQuote(words.join(' '))}`,
  ].join('\n');
  const r = await withChannel(ctx, host, (c) => c.exec(['sh', '-c', script], Buffer.alloc(0), 30_000));
  if (r.code !== 0)
    throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": configuring ${nic.ifname} failed: ${r.stderr.toString().trim()}`);
}

/** Hot-unplugs a NIC from a running VM (its TAP is removed after). */
async function unplugNic(ctx: RangeContext, host: ResolvedHost, nic: ResolvedInterface): Promise<void> {
  await launcherOf(host).unplugNic(files(ctx, host.name).monitor, vmNic(nic));
}

/**
 * Guests under QEMU (or another launcher): the VM runs in the range namespace, each NIC a TAP on
 * its network's bridge (made by the data plane), configured by the guest's own init from the
 * kernel command line. Control and exec go over a host-local channel, so NIC-less guests work too.
 */
export const microvmRuntime: Runtime = {
  name: 'microvm',
  nics: tapNics({
    plug: plugNic,
    unplug: unplugNic,
    state: (ctx, host) => microvmRuntime.state(ctx, host),
    exec: (ctx, host, argv, opts) => microvmRuntime.exec(ctx, host, argv, opts),
  }),

  async discard(ctx, host) {
    // The guest's disk overlay (in its data directory) goes; the next start makes a new one on the base.
    rmSync(files(ctx, host.name).data, { recursive: true, force: true });
  },

  async freeze(ctx, host, frozen) {
    if (!liveRef(ctx, host)) return;
    // QMP `stop` drains and flushes the guest's disk I/O before it returns.
    const q = await Qmp.open(files(ctx, host.name).monitor);
    try {
      await q.command(frozen ? 'stop' : 'cont');
    } finally {
      q.close();
    }
  },

  async saveWrites(ctx, host, dir) {
    const f = files(ctx, host.name);
    mkdirSync(dir, { recursive: true });
    if (existsSync(f.overlay)) await copyTree(f.overlay, join(dir, 'disk.qcow2'));
  },

  async forgetWrites() {
    // A VM's saved disk overlay is all in the snapshot's directory.
  },

  async restoreWrites(ctx, host, dir) {
    const f = files(ctx, host.name);
    rmSync(f.data, { recursive: true, force: true });
    if (existsSync(join(dir, 'disk.qcow2'))) await copyTree(join(dir, 'disk.qcow2'), f.overlay);
  },

  async create(ctx, hosts) {
    if (hosts.length > 0) vmUser();
    for (const h of hosts) {
      launcherOf(h);
      if (h.microvm) bootFiles(h.name, h.microvm, settingsOf(ctx).assets, ctx.images);
    }
  },

  async boot() {
    return { fresh: false };
  },

  async start(ctx, host) {
    if (liveRef(ctx, host)) return;
    const spec = host.microvm;
    if (!spec) throw new CyrangeError('CYR_INTERNAL', `host "${host.name}" has no microvm settings`);
    const ns = rangeNetns(ctx.instance);
    if (!netnsExists(ns)) throw new CyrangeError('CYR_CONFLICT', `range namespace ${ns} is missing`);
    const launcher = launcherOf(host);
    const user = vmUser();
    const boot = bootFiles(host.name, spec, settingsOf(ctx).assets, ctx.images);
    const f = files(ctx, host.name);
    prepareVmDir(f.dir, user);
    for (const s of [f.control, f.console, f.monitor]) rmSync(s, { force: true });
    writeFresh(f.guestConfig, renderGuestConfig(host));
    if (boot.disk) await ensureOverlay(f.overlay, boot.disk);
    const accel = await chooseAccel(QEMU, boot.kernel, settingsOf(ctx).accel, user);
    const launch: LaunchSpec = {
      tag: tagOf(ctx.instance, host.name),
      accel,
      tcgCacheMb: settingsOf(ctx).tcgCacheMb,
      memoryMb: host.resources.memoryBytes ? Math.ceil(host.resources.memoryBytes / 2 ** 20) : DEFAULT_MEMORY_MB,
      vcpus: Math.max(1, Math.ceil(host.resources.cpus ?? 1)),
      boot: { kernel: boot.kernel, initrd: boot.initrd },
      // The descriptors below become fd 3 (overlay) and 4 (base) in QEMU.
      disk: boot.disk ? { overlayFd: 3, baseFd: 4, baseFormat: diskFormat(boot.disk) } : null,
      cmdline: renderKernelCmdline(host, ctx.range),
      guestConfig: VM_FILES.guestConfig,
      nics: host.interfaces.map(vmNic),
      controlSocket: VM_FILES.control,
      consoleSocket: VM_FILES.console,
      monitorSocket: VM_FILES.monitor,
      serialLog: VM_FILES.serialLog,
    };
    // nsenter enters the range namespace as root; setpriv then drops to the VM user for QEMU.
    const fds = boot.disk ? [openSync(f.overlay, 'r+'), openSync(boot.disk, 'r')] : [];
    let ref: ProcRef;
    try {
      ref = spawnDetached(inNetns(ns, asUser(user, launcher.argv(launch))), { logFile: f.log, cwd: f.dir, fds, env: minimalEnv() });
    } finally {
      for (const fd of fds) closeSync(fd);
    }
    writePidfile(f.pid, ref);
    writeFileSync(f.meta, `${JSON.stringify({ launcher: launcher.name, accel, channel: launcher.transport(), pid: ref.pid })}\n`);
    await placeVm(ctx, host, ref);
    let channel: ControlChannel;
    try {
      channel = await ControlChannel.openWhenReady(f.control, () => isAlive(ref), 10_000);
    } catch (e) {
      const why = existsSync(f.log) ? readFileSync(f.log, 'utf8').trim().split('\n').slice(-3).join('; ') : '';
      throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": the VM did not start: ${why || (e as Error).message}`, {
        hint: `QEMU runs as ${user.name}: it must be able to read the kernel and initramfs and open /dev/net/tun (scripts/setup.sh)`,
      });
    }
    // A guest on its disk's own init has no agent to ask: deployed means QEMU runs (the guest boots on).
    if (ownInit(host)) {
      channel.close();
      return;
    }
    // Deployed means the guest's init answers: its NICs are configured by then.
    try {
      await channel.status(settingsOf(ctx).bootTimeoutMs);
    } finally {
      channel.close();
    }
  },

  async stop(ctx, host) {
    const ref = liveRef(ctx, host);
    if (ref) {
      // A clean power-off first (the guest syncs its disk); a guest that does not answer is killed.
      try {
        await withChannel(ctx, host, (c) => c.shutdown(2_000));
        await waitFor(() => !isAlive(ref), { timeoutMs: 3000 });
      } catch {
        // not answering: terminate below
      }
      if (isAlive(ref)) await terminate([ref.pid]);
      await waitGone([ref]);
    }
    removePidfile(files(ctx, host.name).pid);
  },

  async state(ctx, host) {
    if (!netnsExists(rangeNetns(ctx.instance))) return 'missing';
    return liveRef(ctx, host) ? 'running' : 'stopped';
  },

  async exec(ctx, host, argv, opts: ExecOptions = {}) {
    if (opts.tty) return attachTerminal(ctx, host, opts);
    const { stdin, stdout, stderr } = execStreams(opts);
    const input = stdin === process.stdin && process.stdin.isTTY ? Buffer.alloc(0) : await readAll(stdin);
    const r = await withChannel(ctx, host, (c) => c.exec(argv, input, EXEC_TIMEOUT_MS));
    stdout.write(r.stdout);
    stderr.write(r.stderr);
    return r.code;
  },

  console(ctx, host) {
    if (!liveRef(ctx, host)) return Promise.reject(new CyrangeError('CYR_CONFLICT', `host "${host.name}" is not running`));
    return openConsole(ctx, host);
  },

  async destroy(ctx, hosts) {
    for (const h of hosts) {
      // Its TAPs belong to the range network: the engine releases or re-attaches them.
      await microvmRuntime.stop(ctx, h);
      for (const p of Object.values(files(ctx, h.name))) rmSync(p, { recursive: true, force: true });
    }
  },

  async describe(ctx, host) {
    try {
      const m = JSON.parse(readFileSync(files(ctx, host.name).meta, 'utf8')) as Record<string, unknown>;
      return { launcher: String(m.launcher), accel: String(m.accel), channel: String(m.channel) };
    } catch {
      return null;
    }
  },

  async owners() {
    return [...new Set(taggedVms().map((v) => v.instance))];
  },

  async purge(instance) {
    const refs = taggedVms().flatMap((v) => {
      const start = v.instance === instance ? procStartTime(v.pid) : null;
      return start === null ? [] : [{ pid: v.pid, start }];
    });
    await terminate(refs.map((r) => r.pid));
    await waitGone(refs);
  },
};
