import { readFileSync } from 'node:fs';
import { run } from '../../dataplane/index.js';
import { CyrangeError } from '../../model/index.js';

/** runc's state directory for Cyrange's sandboxes: apart from Docker's, on tmpfs like the namespaces. */
export const RUNC_ROOT = '/run/cyrange/runc';

const runc = (...args: string[]) => ['runc', '--root', RUNC_ROOT, ...args];

/** One sandbox as `runc list` reports it. */
export interface RuncContainer {
  readonly id: string;
  readonly pid: number;
  readonly status: 'created' | 'running' | 'paused' | 'stopped' | string;
  readonly bundle: string;
}

/** Every sandbox runc knows under Cyrange's root. */
export async function listSandboxes(): Promise<RuncContainer[]> {
  const r = await run(runc('list', '--format', 'json'), { allowFailure: true });
  if (r.code !== 0) return [];
  const text = r.stdout.trim();
  return text && text !== 'null' ? (JSON.parse(text) as RuncContainer[]) : [];
}

/** State of one sandbox, or null when runc has none of that id. */
export async function sandboxState(id: string): Promise<RuncContainer | null> {
  const r = await run(runc('state', id), { allowFailure: true });
  return r.code === 0 ? (JSON.parse(r.stdout) as RuncContainer) : null;
}

/**
 * Starts a sandbox from its bundle, detached; resolves once its init runs. Output of the sandbox's
 * processes goes to `logFile` (runc hands its own stdio to the container).
 */
export async function runSandbox(id: string, bundle: string, logFile: string): Promise<RuncContainer> {
  const r = await run(runc('run', '--detach', '--bundle', bundle, id), { logFile, allowFailure: true, timeoutMs: 30_000 });
  const st = await sandboxState(id);
  if (r.code !== 0 || !st || st.status !== 'running') {
    const tail = readTail(logFile);
    throw new CyrangeError('CYR_RUNTIME', `runc run ${id} failed (exit ${r.code})${tail ? `: ${tail}` : ''}`);
  }
  return st;
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
