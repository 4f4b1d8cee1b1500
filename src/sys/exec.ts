import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { CyrangeError } from '../model/index.js';
import { currentSignal } from './cancel.js';
import { logCommand } from './log.js';
import { minimalEnv } from './procs.js';

/** A command line: program then arguments. Never a shell string. */
export type Argv = readonly string[];

/** A command that exited non-zero, could not start, or timed out. */
export class CommandFailedError extends CyrangeError {
  readonly argv: Argv;
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(
    argv: Argv,
    exitCode: number | null,
    stderr: string,
    reason?: string,
    code: 'CYR_COMMAND_FAILED' | 'CYR_TIMEOUT' = 'CYR_COMMAND_FAILED',
  ) {
    const trimmed = stderr.trim().split('\n').slice(-5).join('\n');
    super(
      code,
      `${argv.slice(0, 4).join(' ')}${argv.length > 4 ? ' …' : ''}: ${reason ?? `exit ${exitCode}`}${trimmed ? `: ${trimmed}` : ''}`,
    );
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = trimmed;
  }
}

/** How `run` runs one command. */
export interface RunOptions {
  readonly input?: string;
  /** Kills the command (SIGKILL) when it aborts; default: the signal of the work in progress (`withSignal`). */
  readonly signal?: AbortSignal | undefined;
  /** Kill the command after this long; default 60 s. */
  readonly timeoutMs?: number;
  /** Resolve instead of throwing on a non-zero exit. */
  readonly allowFailure?: boolean;
  /** Working directory of the command. */
  readonly cwd?: string;
  /**
   * Append stdout and stderr to this file instead of collecting them: for commands that leave a
   * process behind holding their output (`runc run --detach`), whose pipes would never close.
   */
  readonly logFile?: string;
  /** Environment of the command; default `minimalEnv()`: never the server's own (its tokens). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the command was killed for running past `timeoutMs` (only seen with `allowFailure`). */
  readonly timedOut?: boolean;
}

/** The error of a command killed for running past its time limit: code `CYR_TIMEOUT`. */
function timedOutError(argv: Argv, ms: number, stderr: string): CommandFailedError {
  return new CommandFailedError(argv, null, stderr, `timed out after ${ms} ms`, 'CYR_TIMEOUT');
}

/** The error of a command that could not start. */
function spawnError(argv: Argv, e: Error): CommandFailedError {
  const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${argv[0]} is not installed` : e.message;
  return new CommandFailedError(argv, null, '', reason);
}

/** The error of a command killed, or never started, because its operation was aborted. */
function abortedError(argv: Argv, stderr: string): CommandFailedError {
  return new CommandFailedError(argv, null, stderr, 'aborted');
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLive(): void {
  for (const c of live) c.kill('SIGKILL');
}

/**
 * On SIGTERM or SIGINT that nobody else handles (the CLI's default), kills our children and sends
 * the signal again with this handler gone, so the process still dies of it as before. When someone
 * does handle it (`serve` closes, `capture` stops tcpdump gracefully), the exit is theirs and the
 * children die with it at 'exit'; a second signal, once their `once` handler is spent, comes here.
 * Prepended, so it runs before `once` listeners remove themselves and can count them.
 */
function onTerminatingSignal(sig: NodeJS.Signals): void {
  if (process.listenerCount(sig) > 1) return;
  killLive();
  process.removeListener(sig, onTerminatingSignal);
  process.kill(process.pid, sig);
}

function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Short-lived helpers must not outlive the control plane that started them, however it ends.
    process.once('exit', killLive);
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.prependListener(sig, onTerminatingSignal);
  }
}

/**
 * Runs one command without a shell and collects its output. The only way Cyrange runs a
 * short-lived program; host processes that must outlive us are started by `spawnDetached`.
 */
export function run(argv: Argv, opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new CyrangeError('CYR_INTERNAL', 'run: empty argv'));
  const signal = opts.signal ?? currentSignal();
  if (signal?.aborted) return Promise.reject(abortedError(argv, ''));
  const logFd = opts.logFile ? openSync(opts.logFile, 'a') : null;
  return new Promise<RunResult>((resolve, reject) => {
    const out_ = logFd ?? 'pipe';
    const child = spawn(cmd, args, { stdio: ['pipe', out_, out_], cwd: opts.cwd, env: opts.env ?? minimalEnv() });
    trackChild(child);
    // Settled at 'close', so an aborted command is gone by the time its caller hears of it.
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const t0 = performance.now();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      logCommand(argv, { error: e.message, ms: Math.round(performance.now() - t0) });
      reject(spawnError(argv, e));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      logCommand(argv, { code, ...(sig ? { signal: sig } : {}), ms: Math.round(performance.now() - t0) }, opts.input);
      const stderr = Buffer.concat(err).toString();
      const res = { code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr, ...(timedOut ? { timedOut } : {}) };
      if (aborted) reject(abortedError(argv, stderr));
      else if (res.code === 0 || opts.allowFailure) resolve(res);
      else if (timedOut) reject(timedOutError(argv, timeoutMs, stderr));
      else reject(new CommandFailedError(argv, code, stderr, sig ? `killed by ${sig}` : undefined));
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(opts.input ?? '');
  }).finally(() => {
    if (logFd !== null) closeSync(logFd);
  });
}

/** Runs a command and parses its stdout as JSON (for `ip -json`, `nft -j`). */
export async function runJson<T>(argv: Argv, opts: RunOptions = {}): Promise<T> {
  const r = await run(argv, opts);
  const text = r.stdout.trim();
  return (text ? JSON.parse(text) : []) as T;
}

/** A long-running command whose output is streamed, not collected. */
export interface StreamedCommand {
  readonly stdout: NodeJS.ReadableStream;
  /** Resolves with the exit code; rejects when it could not start, with the end of its stderr. */
  readonly done: Promise<number>;
  /** Ends the command (SIGTERM). */
  stop(): void;
}

/**
 * Runs one command without a shell and streams its stdout (a packet capture, say); stderr is
 * kept for the error message. It dies with us, when `signal` aborts, and after `timeoutMs` if given.
 */
export function runStreaming(
  argv: Argv,
  opts: { signal?: AbortSignal; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): StreamedCommand {
  const [cmd, ...args] = argv;
  if (!cmd) throw new CyrangeError('CYR_INTERNAL', 'runStreaming: empty argv');
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? minimalEnv() });
  trackChild(child);
  logCommand(argv, { streaming: true });
  const onAbort = () => child.kill('SIGTERM');
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs);
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-4096);
  });
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(spawnError(argv, e));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (timedOut && opts.timeoutMs !== undefined) reject(timedOutError(argv, opts.timeoutMs, err));
      else if (code === 0 || sig === 'SIGTERM' || sig === 'SIGINT' || sig === 'SIGPIPE') resolve(code ?? 0);
      else reject(new CommandFailedError(argv, code, err, sig ? `killed by ${sig}` : undefined));
    });
  });
  return { stdout: child.stdout as NodeJS.ReadableStream, done, stop: () => child.kill('SIGTERM') };
}
