import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../sys/index.js';
import { CyrangeError } from '../../model/index.js';

/** runc's state directory for Cyrange's sandboxes: apart from Docker's, on tmpfs like the namespaces. */
export const RUNC_ROOT = '/run/cyrange/runc';

const runc = (...args: string[]) => ['runc', '--root', RUNC_ROOT, ...args];

/**
 * Ids of every sandbox runc keeps state for under Cyrange's root: its state directories, whose
 * names are the ids (our tags). Read from the directory rather than `runc list`, which fails as a
 * whole while any one sandbox is being deleted.
 */
export function listSandboxIds(): string[] {
  try {
    return readdirSync(RUNC_ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Whether runc keeps state for a sandbox of this id (running, or left stopped by a crash). */
export function sandboxExists(id: string): boolean {
  return existsSync(join(RUNC_ROOT, id));
}

/**
 * Starts a sandbox from its bundle, detached; resolves with its init's PID once it runs. Output of
 * the sandbox's processes goes to `logFile` (runc hands its own stdio to the container).
 */
export async function runSandbox(id: string, bundle: string, logFile: string): Promise<number> {
  const pidFile = join(bundle, 'init.pid');
  rmSync(pidFile, { force: true });
  const r = await run(runc('run', '--detach', '--pid-file', pidFile, '--bundle', bundle, id), {
    logFile,
    allowFailure: true,
    timeoutMs: 30_000,
  });
  const pid = r.code === 0 ? Number(readFileSync(pidFile, 'utf8').trim()) : 0;
  if (!Number.isInteger(pid) || pid <= 0) {
    const tail = readTail(logFile);
    throw new CyrangeError('CYR_RUNTIME', `runc run ${id} failed (exit ${r.code})${tail ? `: ${tail}` : ''}`);
  }
  return pid;
}

/** The last lines runc and the sandbox wrote, for an error message. */
function readTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join('; ');
  } catch {
    return '';
  }
}

/** Removes a sandbox, killing what still runs in it; an unknown id counts as removed. */
export async function deleteSandbox(id: string): Promise<void> {
  if (!sandboxExists(id)) return;
  const r = await run(runc('delete', '--force', id), { allowFailure: true, timeoutMs: 30_000 });
  if (r.code !== 0 && !/does not exist|not exist/.test(r.stderr))
    throw new CyrangeError('CYR_RUNTIME', `runc delete ${id} failed: ${r.stderr.trim()}`);
}

/** Pauses or resumes every process of a sandbox (the cgroup freezer); the state it is in already is fine. */
export async function setPaused(id: string, paused: boolean): Promise<void> {
  const r = await run(runc(paused ? 'pause' : 'resume', id), { allowFailure: true });
  if (r.code !== 0 && !/not paused|already paused|is paused/.test(r.stderr))
    throw new CyrangeError('CYR_RUNTIME', `runc ${paused ? 'pause' : 'resume'} ${id} failed: ${r.stderr.trim()}`);
}

/** Argv that runs a command inside a running sandbox, with a terminal when `tty`. */
export function execArgv(
  id: string,
  argv: readonly string[],
  opts: { tty?: boolean; env?: Readonly<Record<string, string>> } = {},
): string[] {
  const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  return runc('exec', ...(opts.tty ? ['--tty'] : []), ...env, id, ...argv);
}
