import { accessSync, constants, existsSync, rmSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { spawn } from 'node:child_process';
import * as pty from 'node-pty';
import {
  type ProcRef,
  ensureNetns,
  inNetns,
  isAlive,
  killNetnsProcesses,
  libexecPath,
  listOwnedNetns,
  netnsExists,
  readPidfile,
  removeNetns,
  removePidfile,
  spawnDetached,
  writePidfile,
} from '../dataplane/index.js';
import { CyrangeError, type ResolvedHost, hostNetns, parseNetnsName } from '../model/index.js';
import { execViaAgent } from './agent-client.js';
import type { ExecOptions, RangeContext, Runtime } from './runtime.js';

function pidfileOf(ctx: RangeContext, host: ResolvedHost): string {
  return join(ctx.runDir, `${host.name}.pid`);
}

/** The unix socket of a vsock-mode host's control agent. */
export function agentSocketOf(ctx: RangeContext, host: ResolvedHost): string {
  return join(ctx.runDir, `${host.name}.ctl`);
}

/** Starts the control agent inside a host that has no network; it answers exec on a unix socket. */
async function startAgent(ctx: RangeContext, host: ResolvedHost, ns: string): Promise<void> {
  const pidFile = join(ctx.runDir, `${host.name}.agent.pid`);
  const old = readPidfile(pidFile);
  if (old && isAlive(old)) return;
  const sock = agentSocketOf(ctx, host);
  const ref = spawnDetached(inNetns(ns, [process.execPath, libexecPath('agent.mjs'), sock]), {
    logFile: join(ctx.runDir, `${host.name}.agent.log`),
  });
  writePidfile(pidFile, ref);
  for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 10));
  if (!existsSync(sock)) throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": control agent did not start`);
}

/** Finds a program the way exec would, so a missing command fails the deploy with a clear error. */
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

/**
 * A host that is only a network namespace running one command: instant, no daemon.
 * The command runs detached through `libexec/host-init`, which sets the namespace's sysctls.
 */
export const netnsRuntime: Runtime = {
  name: 'netns',

  async create(ctx, hosts) {
    await ensureNetns(hosts.map((h) => hostNetns(ctx.instance, h.name)));
  },

  async boot(ctx, host) {
    const ns = hostNetns(ctx.instance, host.name);
    if (!netnsExists(ns)) throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": namespace ${ns} is missing`);
    return { fresh: false };
  },

  async start(ctx, host) {
    if (liveRef(ctx, host)) return;
    const command = host.command ?? ['sleep', 'infinity'];
    const program = command[0] ?? '';
    if (!resolveProgram(program))
      throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": command "${program}" not found`, {
        hint: 'give an installed program or a full path',
      });
    const ns = hostNetns(ctx.instance, host.name);
    if (!netnsExists(ns)) throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": namespace ${ns} is missing`);
    const ref = spawnDetached(inNetns(ns, ['/bin/sh', libexecPath('host-init'), ...command]), {
      logFile: join(ctx.runDir, `${host.name}.log`),
      env: { ...process.env, ...host.env, CYRANGE_IP_FORWARD: host.ipForward ? '1' : '0' },
    });
    writePidfile(pidfileOf(ctx, host), ref);
    if (host.network.mode === 'vsock') await startAgent(ctx, host, ns);
  },

  async stop(ctx, host) {
    // Everything in the host's namespace belongs to the host: its command, DHCP clients, exec sessions.
    await killNetnsProcesses([hostNetns(ctx.instance, host.name)]);
    removePidfile(pidfileOf(ctx, host));
  },

  async state(ctx, host) {
    if (!netnsExists(hostNetns(ctx.instance, host.name))) return 'missing';
    return liveRef(ctx, host) ? 'running' : 'stopped';
  },

  exec(ctx, host, argv, opts: ExecOptions = {}) {
    // A host without a network is reached over its host-local control socket only.
    if (host.network.mode === 'vsock') return execViaAgent(agentSocketOf(ctx, host), argv, opts);
    const ns = hostNetns(ctx.instance, host.name);
    if (!netnsExists(ns)) return Promise.reject(new CyrangeError('CYR_NOT_FOUND', `host "${host.name}" has no namespace (not deployed?)`));
    const full = inNetns(ns, argv);
    return new Promise((resolve, reject) => {
      const child = spawn(full[0] as string, full.slice(1), {
        stdio: [opts.stdin ? 'pipe' : 'inherit', opts.stdout ? 'pipe' : 'inherit', opts.stderr ? 'pipe' : 'inherit'],
        env: { ...process.env, ...host.env },
      });
      if (opts.stdin && child.stdin) opts.stdin.pipe(child.stdin);
      if (opts.stdout && child.stdout) child.stdout.pipe(opts.stdout, { end: false });
      if (opts.stderr && child.stderr) child.stderr.pipe(opts.stderr, { end: false });
      child.on('error', reject);
      child.on('close', (code, sig) => resolve(code ?? (sig ? 128 + (sig === 'SIGKILL' ? 9 : 15) : 1)));
    });
  },

  async console(ctx, host, size) {
    const ns = hostNetns(ctx.instance, host.name);
    if (!netnsExists(ns)) throw new CyrangeError('CYR_NOT_FOUND', `host "${host.name}" has no namespace (not deployed?)`);
    const shell = existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
    const argv = inNetns(ns, [shell, '-i']);
    const term = pty.spawn(argv[0] as string, argv.slice(1), {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: '/',
      env: { ...process.env, ...host.env, TERM: 'xterm-256color', PS1: `${host.name}# ` },
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

  async destroy(ctx, hosts) {
    const names = hosts.map((h) => hostNetns(ctx.instance, h.name));
    await killNetnsProcesses(names);
    await removeNetns(names);
    for (const h of hosts) rmSync(pidfileOf(ctx, h), { force: true });
  },

  async owners() {
    const out = new Set<string>();
    for (const n of listOwnedNetns()) {
      const p = parseNetnsName(n);
      if (p?.host) out.add(p.instance);
    }
    return [...out];
  },

  async purge(instance) {
    const names = listOwnedNetns().filter((n) => {
      const p = parseNetnsName(n);
      return p?.instance === instance && p.host !== null;
    });
    await killNetnsProcesses(names);
    await removeNetns(names);
  },
};
