import { accessSync, constants, existsSync, rmSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { createRequire } from 'node:module';
import type * as Pty from 'node-pty';
import {
  type Argv,
  type ProcRef,
  ensureNetns,
  inNetns,
  isAlive,
  killNetnsProcesses,
  libexecPath,
  listOwnedNetns,
  netnsExists,
  procStartTime,
  readPidfile,
  removeNetns,
  removePidfile,
  runAttached,
  spawnDetached,
  writePidfile,
  waitFor,
} from '../sys/index.js';
import { CyrangeError, type ResolvedHost, hostNetns, parseNetnsName } from '../model/index.js';
import { execViaAgent } from './agent-client.js';
import { vethNics } from './nics/veth.js';
import type { ExecOptions, RangeContext, Runtime } from './runtime.js';
import { ownedMounts, unmountOverlays } from './sandbox/overlay.js';
import { copyTree } from './copy-tree.js';
import { deleteSandbox, execArgv, listSandboxIds, setPaused } from './sandbox/runc.js';
import { sandboxId, sandboxPaths, startSandbox, stopSandbox } from './sandbox/sandbox.js';

function pidfileOf(ctx: RangeContext, host: ResolvedHost): string {
  return join(ctx.runDir, `${host.name}.pid`);
}

/** Whether a host runs in a runc sandbox; `sandbox: none` (admin only) runs in the machine's own filesystem. */
function sandboxed(host: ResolvedHost): boolean {
  return host.sandbox !== 'none';
}

/** The unix socket of an unsandboxed vsock-mode host's control agent. */
export function agentSocketOf(ctx: RangeContext, host: ResolvedHost): string {
  return join(ctx.runDir, `${host.name}.ctl`);
}

/** What every process started in a host sees: a minimal environment plus the host's own `env`. */
function hostEnv(host: ResolvedHost, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', TERM: 'xterm', ...host.env, ...extra };
}

/** Starts the control agent inside an unsandboxed host that has no network; it answers exec on a unix socket. */
async function startAgent(ctx: RangeContext, host: ResolvedHost, ns: string): Promise<void> {
  const pidFile = join(ctx.runDir, `${host.name}.agent.pid`);
  const old = readPidfile(pidFile);
  if (old && isAlive(old)) return;
  const sock = agentSocketOf(ctx, host);
  const ref = spawnDetached(inNetns(ns, [process.execPath, libexecPath('agent.mjs'), sock]), {
    logFile: join(ctx.runDir, `${host.name}.agent.log`),
    env: hostEnv(host),
  });
  writePidfile(pidFile, ref);
  if (!(await waitFor(() => existsSync(sock), { timeoutMs: 2000, intervalMs: 10 })))
    throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": control agent did not start`);
}

/** Finds a program on the machine the way exec would (unsandboxed hosts). */
function resolveProgram(cmd: string): string | null {
  const candidates = isAbsolute(cmd) || cmd.includes('/') ? [cmd] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  return null;
}

function liveRef(ctx: RangeContext, host: ResolvedHost): ProcRef | null {
  const ref = readPidfile(pidfileOf(ctx, host));
  return ref && isAlive(ref) ? ref : null;
}

/** Starts an unsandboxed host: its command in the bare namespace, through `libexec/host-init` (sysctls). */
async function startBare(ctx: RangeContext, host: ResolvedHost, ns: string, command: readonly string[]): Promise<ProcRef> {
  const program = command[0] ?? '';
  if (!resolveProgram(program))
    throw new CyrangeError('CYR_INVALID', `host "${host.name}": command "${program}" not found`, {
      hint: 'give an installed program or a full path',
    });
  const ref = spawnDetached(inNetns(ns, ['/bin/sh', libexecPath('host-init'), ...command]), {
    logFile: join(ctx.runDir, `${host.name}.log`),
    env: hostEnv(host, { CYRANGE_IP_FORWARD: host.ipForward ? '1' : '0' }),
  });
  if (host.network.mode === 'vsock') await startAgent(ctx, host, ns);
  return ref;
}

/** Argv that runs a command in a host: inside its sandbox, or in its bare namespace. */
function hostArgv(ctx: RangeContext, host: ResolvedHost, argv: Argv, tty: boolean): Argv {
  if (sandboxed(host)) return execArgv(sandboxId(ctx.instance, host.name), argv, { tty });
  return inNetns(hostNetns(ctx.instance, host.name), argv);
}

/**
 * A host in its own network namespace, run as a runc sandbox: its own root (an overlay over a
 * shared base image), PID, mount, UTS, IPC and cgroup namespaces, Docker's capabilities plus
 * NET_ADMIN, no_new_privs, a maintained seccomp profile, cgroup limits and tini as PID 1.
 * `sandbox: none` hosts (admin only) run their command in the bare namespace instead.
 */
export const netnsRuntime: Runtime = {
  name: 'netns',
  nics: vethNics,

  async create(ctx, hosts) {
    await ensureNetns(hosts.map((h) => hostNetns(ctx.instance, h.name)));
  },

  async boot(ctx, host) {
    const ns = hostNetns(ctx.instance, host.name);
    if (!netnsExists(ns)) throw new CyrangeError('CYR_CONFLICT', `host "${host.name}": namespace ${ns} is missing`);
    return { fresh: false };
  },

  async start(ctx, host) {
    if (liveRef(ctx, host)) return;
    const ns = hostNetns(ctx.instance, host.name);
    if (!netnsExists(ns)) throw new CyrangeError('CYR_CONFLICT', `host "${host.name}": namespace ${ns} is missing`);
    const command = host.command ?? ['sleep', 'infinity'];
    let ref: ProcRef;
    if (sandboxed(host)) {
      const pid = await startSandbox(ctx, host, join(ctx.runDir, `${host.name}.log`));
      ref = { pid, start: procStartTime(pid) ?? '' };
    } else ref = await startBare(ctx, host, ns, command);
    writePidfile(pidfileOf(ctx, host), ref);
  },

  async stop(ctx, host) {
    // Everything in the host's namespace belongs to the host: its command, DHCP clients, exec sessions.
    await killNetnsProcesses([hostNetns(ctx.instance, host.name)]);
    if (sandboxed(host)) await stopSandbox(ctx, host.name);
    removePidfile(pidfileOf(ctx, host));
  },

  async state(ctx, host) {
    if (!netnsExists(hostNetns(ctx.instance, host.name))) return 'missing';
    return liveRef(ctx, host) ? 'running' : 'stopped';
  },

  exec(ctx, host, argv, opts: ExecOptions = {}) {
    // An unsandboxed host without a network is reached over its host-local control socket only;
    // a sandbox is always reached through runc, which needs no network either.
    if (host.network.mode === 'vsock' && !sandboxed(host)) return execViaAgent(agentSocketOf(ctx, host), argv, opts);
    if (!netnsExists(hostNetns(ctx.instance, host.name)))
      return Promise.reject(new CyrangeError('CYR_NOT_FOUND', `host "${host.name}" has no namespace (not deployed?)`));
    if (sandboxed(host) && !liveRef(ctx, host))
      return Promise.reject(
        new CyrangeError('CYR_CONFLICT', `host "${host.name}" is not running`, { hint: `cyrange host start ${ctx.instance} ${host.name}` }),
      );
    const full = hostArgv(ctx, host, argv, opts.tty === true);
    return runAttached(full, { ...opts, env: hostEnv(host) });
  },

  async console(ctx, host, size) {
    if (!netnsExists(hostNetns(ctx.instance, host.name)))
      throw new CyrangeError('CYR_NOT_FOUND', `host "${host.name}" has no namespace (not deployed?)`);
    if (sandboxed(host) && !liveRef(ctx, host)) throw new CyrangeError('CYR_CONFLICT', `host "${host.name}" is not running`);
    // Inside a sandbox, its own shell: bash's prompt carries the host's name (its UTS name).
    const shell = sandboxed(host) ? '/bin/bash' : existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
    const argv = hostArgv(ctx, host, [shell, '-i'], true);
    // node-pty (a native addon) is loaded only for consoles.
    const pty = createRequire(import.meta.url)('node-pty') as typeof Pty;
    const term = pty.spawn(argv[0] as string, argv.slice(1), {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: '/',
      env: hostEnv(host, { TERM: 'xterm-256color', PS1: `${host.name}# ` }),
    });
    return {
      write: (d) => term.write(typeof d === 'string' ? d : d.toString()),
      resize: (c, r) => term.resize(c, r),
      onData: (cb) => {
        term.onData(cb);
      },
      onExit: (cb) => {
        term.onExit((e) => cb(e.exitCode));
      },
      close: () => term.kill(),
    };
  },

  async discard(ctx, host) {
    if (!sandboxed(host)) return;
    await stopSandbox(ctx, host.name);
    const p = sandboxPaths(ctx, host.name);
    for (const d of [p.upper, p.work]) rmSync(d, { recursive: true, force: true });
  },

  async freeze(ctx, host, frozen) {
    // runc pauses through the cgroup freezer: every process of the sandbox at once.
    if (sandboxed(host)) await setPaused(sandboxId(ctx.instance, host.name), frozen);
  },

  async saveWrites(ctx, host, dir) {
    if (!sandboxed(host)) throw new CyrangeError('CYR_CONFLICT', `host "${host.name}" is unsandboxed: it has no writes of its own to save`);
    await copyTree(sandboxPaths(ctx, host.name).upper, join(dir, 'upper'));
  },

  async forgetWrites() {
    // A sandbox's saved writes are all in the snapshot's directory.
  },

  async restoreWrites(ctx, host, dir) {
    if (!sandboxed(host)) return;
    await netnsRuntime.discard(ctx, host);
    await copyTree(join(dir, 'upper'), sandboxPaths(ctx, host.name).upper);
  },

  async destroy(ctx, hosts) {
    const names = hosts.map((h) => hostNetns(ctx.instance, h.name));
    await killNetnsProcesses(names);
    for (const h of hosts) {
      await stopSandbox(ctx, h.name);
      rmSync(sandboxPaths(ctx, h.name).dir, { recursive: true, force: true });
      rmSync(pidfileOf(ctx, h), { force: true });
    }
    await removeNetns(names);
  },

  async owners() {
    const out = new Set<string>();
    for (const n of listOwnedNetns()) {
      const p = parseNetnsName(n);
      if (p?.host) out.add(p.instance);
    }
    for (const id of listSandboxIds()) {
      const p = parseNetnsName(id);
      if (p?.host) out.add(p.instance);
    }
    for (const m of ownedMounts()) out.add(m.instance);
    return [...out];
  },

  async purge(instance) {
    const names = listOwnedNetns().filter((n) => {
      const p = parseNetnsName(n);
      return p?.instance === instance && p.host !== null;
    });
    await killNetnsProcesses(names);
    // By tags alone: runc's state names the sandbox, /proc/mounts names the overlay.
    const ids = listSandboxIds().filter((id) => parseNetnsName(id)?.instance === instance);
    await Promise.all(ids.map(deleteSandbox));
    await unmountOverlays(
      ownedMounts()
        .filter((m) => m.instance === instance)
        .map((m) => m.target),
    );
    await removeNetns(names);
  },
};
