import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { CyrangeError } from '../model/index.js';
import type { Argv } from './exec.js';
import { logCommand } from './log.js';
import { waitFor } from './wait.js';

/** A process we started, told apart from a later process that reuses its PID by its start time. */
export interface ProcRef {
  readonly pid: number;
  readonly start: string;
}

/** Kernel start time of a process (field 22 of /proc/PID/stat), or null when it is gone. */
export function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process a ref names is still the same live process. */
export function isAlive(ref: ProcRef): boolean {
  return procStartTime(ref.pid) === ref.start;
}

/** The search path every process Cyrange starts gets. */
const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * A minimal environment for a child process: PATH, HOME=/nonexistent and `extra`, never our own
 * environment (which holds secrets such as CYRANGE_ADMIN_TOKEN).
 */
export function minimalEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { PATH: SAFE_PATH, HOME: '/nonexistent', ...extra };
}

/** How `spawnDetached` starts a process. */
export interface DetachedOptions {
  /** Where stdout and stderr go (appended). */
  readonly logFile: string;
  /** The environment; default `minimalEnv()`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Working directory; default ours. */
  readonly cwd?: string;
  /** Open descriptors the process inherits as fd 3, 4, … (the caller still closes its own). */
  readonly fds?: readonly number[];
}

/**
 * Starts a long-lived process in its own session, detached from us, with output to `logFile` and a
 * minimal environment unless `env` says otherwise. It keeps running after the CLI that started it exits.
 */
export function spawnDetached(argv: Argv, opts: DetachedOptions): ProcRef {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error('spawnDetached: empty argv');
  const fd = openSync(opts.logFile, 'a');
  try {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', fd, fd, ...(opts.fds ?? [])],
      env: opts.env ?? minimalEnv(),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    child.on('error', () => {});
    child.unref();
    const pid = child.pid;
    logCommand(argv, { detached: true, pid });
    if (pid === undefined) throw new Error(`could not start ${cmd}`);
    return { pid, start: procStartTime(pid) ?? '' };
  } finally {
    closeSync(fd);
  }
}

/** A system user processes are started as. */
export interface SystemUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The system user VM processes run as; it owns their TAPs. scripts/setup.sh creates it. */
export const VM_USER = 'cyrange-qemu';

/** The uid and primary gid of `name` from /etc/passwd; a missing user fails with how to make it. */
export function systemUser(name: string, passwd = '/etc/passwd'): SystemUser {
  let text = '';
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    // no passwd file: the user is missing
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid && /^\d+$/.test(uid) && /^\d+$/.test(gid)) return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new CyrangeError('CYR_UNAVAILABLE', `system user "${name}" does not exist`, { hint: 'run scripts/setup.sh (it creates it)' });
}

/** Records a process in a pid file: `PID START`. */
export function writePidfile(path: string, ref: ProcRef): void {
  writeFileSync(path, `${ref.pid} ${ref.start}\n`);
}

/** Reads a pid file; null when missing or malformed. */
export function readPidfile(path: string): ProcRef | null {
  try {
    const [pid, start] = readFileSync(path, 'utf8').trim().split(' ');
    const n = Number(pid);
    return Number.isInteger(n) && n > 0 && start ? { pid: n, start } : null;
  } catch {
    return null;
  }
}

/** Removes a pid file; a missing one is fine. */
export function removePidfile(path: string): void {
  rmSync(path, { force: true });
}

/** PIDs of every process whose network namespace is one of `inodes`. */
export function pidsInNetns(inodes: ReadonlySet<number>): number[] {
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
      if (m && inodes.has(Number(m[1]))) pids.push(pid);
    } catch {
      // Gone, or a kernel thread without a namespace link.
    }
  }
  return pids;
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILLs what is left; resolves when all are gone. */
export async function terminate(pids: readonly number[], graceMs = 2000): Promise<void> {
  const refs = pids.map((pid) => ({ pid, start: procStartTime(pid) })).filter((r): r is ProcRef => r.start !== null);
  for (const r of refs) signal(r.pid, 'SIGTERM');
  const gone = () => !refs.some(isAlive);
  if (await waitFor(gone, { timeoutMs: graceMs })) return;
  for (const r of refs.filter(isAlive)) signal(r.pid, 'SIGKILL');
  await waitFor(gone, { timeoutMs: 5000, intervalMs: 10 });
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}
