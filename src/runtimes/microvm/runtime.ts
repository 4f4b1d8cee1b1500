import { connect } from 'node:net';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ProcRef,
  inNetns,
  isAlive,
  netnsExists,
  procStartTime,
  readPidfile,
  removePidfile,
  spawnDetached,
  terminate,
  writePidfile,
} from '../../dataplane/index.js';
import {
  CyrangeError,
  type ResolvedHost,
  type ResolvedInterface,
  rangeNetns,
  renderGuestConfig,
  renderKernelCmdline,
  renderIpArg,
  shellQuote,
} from '../../model/index.js';
import type { ConsoleSession, ExecOptions, MicrovmSettings, RangeContext, Runtime } from '../runtime.js';
import { chooseAccel } from './accel.js';
import { bootFiles } from './assets.js';
import { ControlChannel } from './channel.js';
import type { Launcher, LaunchSpec, VmNic } from './launcher.js';
import { QEMU, qemuLauncher } from './qemu.js';

const DEFAULT_MEMORY_MB = 256;
/** Used when the caller has no configuration (TCG, several guests per core). */
const DEFAULTS: MicrovmSettings = { assets: '/var/lib/cyrange/microvm', accel: 'auto', bootTimeoutMs: 120_000, tcgCacheMb: 32 };
const EXEC_TIMEOUT_MS = 10 * 60_000;

const launchers = new Map<string, Launcher>([[qemuLauncher.name, qemuLauncher]]);

function launcherOf(host: ResolvedHost): Launcher {
  const name = host.microvm?.launcher ?? 'qemu';
  const l = launchers.get(name);
  if (!l)
    throw new CyrangeError(
      'CYR_RUNTIME',
      `host "${host.name}": microvm launcher "${name}" is not available on this machine (available: qemu)`,
    );
  return l;
}

/** Files of one guest in the instance's run directory. */
function files(ctx: RangeContext, host: string) {
  const f = (s: string) => join(ctx.runDir, `${host}.${s}`);
  return {
    pid: f('vm.pid'),
    control: f('ctl'),
    console: f('console'),
    monitor: f('qmp'),
    serialLog: f('serial.log'),
    log: f('vm.log'),
    guestConfig: f('guest.conf'),
    meta: f('vm.json'),
  };
}

function settingsOf(ctx: RangeContext): MicrovmSettings {
  return ctx.microvm ?? DEFAULTS;
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

async function withChannel<T>(ctx: RangeContext, host: ResolvedHost, fn: (c: ControlChannel) => Promise<T>): Promise<T> {
  if (!liveRef(ctx, host))
    throw new CyrangeError('CYR_RUNTIME', `host "${host.name}" is not running`, {
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
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  return new Promise((resolve) => {
    const onIn = (d: Buffer) => (d.includes(0x1d) ? session.close() : session.write(d));
    stdin.on('data', onIn);
    session.onData((d) => stdout.write(d));
    session.onExit(() => {
      stdin.off('data', onIn);
      if (stdin === process.stdin) process.stdin.pause();
      resolve(0);
    });
  });
}

/**
 * Guests under QEMU (or another launcher): the VM runs in the range namespace, each NIC a TAP on
 * its network's bridge (made by the data plane), configured by the guest's own init from the
 * kernel command line. Control and exec go over a host-local channel, so NIC-less guests work too.
 */
export const microvmRuntime: Runtime = {
  name: 'microvm',
  nics: 'tap',

  async create(ctx, hosts) {
    for (const h of hosts) {
      launcherOf(h);
      if (h.microvm) bootFiles(h.name, h.microvm, settingsOf(ctx).assets);
    }
  },

  async boot() {
    return { fresh: false };
  },

  async start(ctx, host) {
    if (liveRef(ctx, host)) return;
    const spec = host.microvm;
    if (!spec) throw new CyrangeError('CYR_RUNTIME', `host "${host.name}" has no microvm settings`);
    const ns = rangeNetns(ctx.instance);
    if (!netnsExists(ns)) throw new CyrangeError('CYR_RUNTIME', `range namespace ${ns} is missing`);
    const launcher = launcherOf(host);
    const boot = bootFiles(host.name, spec, settingsOf(ctx).assets);
    const f = files(ctx, host.name);
    for (const s of [f.control, f.console, f.monitor]) rmSync(s, { force: true });
    writeFileSync(f.guestConfig, renderGuestConfig(host));
    const accel = await chooseAccel(QEMU, boot.kernel, settingsOf(ctx).accel);
    const launch: LaunchSpec = {
      tag: tagOf(ctx.instance, host.name),
      accel,
      tcgCacheMb: settingsOf(ctx).tcgCacheMb,
      memoryMb: host.resources.memoryBytes ? Math.ceil(host.resources.memoryBytes / 2 ** 20) : DEFAULT_MEMORY_MB,
      vcpus: Math.max(1, Math.ceil(host.resources.cpus ?? 1)),
      boot,
      cmdline: renderKernelCmdline(host, ctx.range),
      guestConfig: f.guestConfig,
      nics: host.interfaces.map(vmNic),
      controlSocket: f.control,
      consoleSocket: f.console,
      monitorSocket: f.monitor,
      serialLog: f.serialLog,
    };
    const ref = spawnDetached(inNetns(ns, launcher.argv(launch)), { logFile: f.log });
    writePidfile(f.pid, ref);
    writeFileSync(f.meta, `${JSON.stringify({ launcher: launcher.name, accel, channel: launcher.transport(), pid: ref.pid })}\n`);
    let channel: ControlChannel;
    try {
      channel = await ControlChannel.openWhenReady(f.control, () => isAlive(ref), 10_000);
    } catch (e) {
      const why = existsSync(f.log) ? readFileSync(f.log, 'utf8').trim().split('\n').slice(-3).join('; ') : '';
      throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": the VM did not start: ${why || (e as Error).message}`);
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
        for (let i = 0; i < 150 && isAlive(ref); i++) await new Promise((r) => setTimeout(r, 20));
      } catch {
        // not answering: terminate below
      }
      if (isAlive(ref)) await terminate([ref.pid]);
    }
    removePidfile(files(ctx, host.name).pid);
  },

  async state(ctx, host) {
    if (!netnsExists(rangeNetns(ctx.instance))) return 'missing';
    return liveRef(ctx, host) ? 'running' : 'stopped';
  },

  async exec(ctx, host, argv, opts: ExecOptions = {}) {
    if (opts.tty) return attachTerminal(ctx, host, opts);
    const stdinStream = opts.stdin ?? process.stdin;
    const input = stdinStream === process.stdin && process.stdin.isTTY ? Buffer.alloc(0) : await readAll(stdinStream);
    const r = await withChannel(ctx, host, (c) => c.exec(argv, input, EXEC_TIMEOUT_MS));
    (opts.stdout ?? process.stdout).write(r.stdout);
    (opts.stderr ?? process.stderr).write(r.stderr);
    return r.code;
  },

  console(ctx, host) {
    if (!liveRef(ctx, host)) return Promise.reject(new CyrangeError('CYR_RUNTIME', `host "${host.name}" is not running`));
    return openConsole(ctx, host);
  },

  async destroy(ctx, hosts) {
    for (const h of hosts) {
      // Its TAPs belong to the range network: the engine releases or re-attaches them.
      await microvmRuntime.stop(ctx, h);
      for (const p of Object.values(files(ctx, h.name))) rmSync(p, { force: true });
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
    await terminate(
      taggedVms()
        .filter((v) => v.instance === instance && procStartTime(v.pid) !== null)
        .map((v) => v.pid),
    );
  },

  async plugNic(ctx, host, nic) {
    const f = files(ctx, host.name);
    await launcherOf(host).plugNic(f.monitor, vmNic(nic));
    // The guest names the new NIC by its MAC and configures it, as at boot.
    const words = [`cyrange.mac=${nic.ifname},${nic.mac}`, renderIpArg({ ...host, interfaces: [nic] })];
    const script = [
      `for i in $(seq 50); do grep -qx ${shellQuote(nic.mac)} /sys/class/net/*/address && break; usleep 100000; done`,
      `. /lib/cyrange/netcfg.sh && NETCFG_NO_METADATA=1 netcfg_apply ${shellQuote(words.join(' '))}`,
    ].join('\n');
    const r = await withChannel(ctx, host, (c) => c.exec(['sh', '-c', script], Buffer.alloc(0), 30_000));
    if (r.code !== 0)
      throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": configuring ${nic.ifname} failed: ${r.stderr.toString().trim()}`);
  },

  async unplugNic(ctx, host, nic) {
    await launcherOf(host).unplugNic(files(ctx, host.name).monitor, vmNic(nic));
  },
};
