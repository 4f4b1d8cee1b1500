import { spawn } from 'node:child_process';
import { CyrangeError } from '../model/index.js';
import type { Argv } from './exec.js';
import { minimalEnv } from './procs.js';

/** Streams of an attached command: each one given is piped, each one left out is our own. */
export interface AttachedOptions {
  readonly stdin?: NodeJS.ReadableStream | undefined;
  readonly stdout?: NodeJS.WritableStream | undefined;
  readonly stderr?: NodeJS.WritableStream | undefined;
  /** Environment of the command; default `minimalEnv()`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Kills the command (SIGKILL) when it aborts. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Runs an interactive command (an exec in a host) attached to the caller's streams and resolves
 * with its exit status, 128 + 9 or 15 when killed. Never through a shell. Not tracked for kill on
 * exit: it shares our terminal, so it gets the terminal's signals itself.
 */
export function runAttached(argv: Argv, opts: AttachedOptions = {}): Promise<number> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new CyrangeError('CYR_INTERNAL', 'runAttached: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [opts.stdin ? 'pipe' : 'inherit', opts.stdout ? 'pipe' : 'inherit', opts.stderr ? 'pipe' : 'inherit'],
      env: opts.env ?? minimalEnv(),
      ...(opts.signal ? { signal: opts.signal, killSignal: 'SIGKILL' as const } : {}),
    });
    if (opts.stdin && child.stdin) opts.stdin.pipe(child.stdin);
    if (opts.stdout && child.stdout) child.stdout.pipe(opts.stdout, { end: false });
    if (opts.stderr && child.stderr) child.stderr.pipe(opts.stderr, { end: false });
    child.on('error', (e) => {
      // An abort kills the child; its close then reports the status.
      if (e.name !== 'AbortError') reject(e);
    });
    child.on('close', (code, sig) => {
      if (opts.stdin && child.stdin) opts.stdin.unpipe(child.stdin);
      resolve(code ?? (sig ? 128 + (sig === 'SIGKILL' ? 9 : 15) : 1));
    });
  });
}
