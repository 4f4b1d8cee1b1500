import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { CyrangeError } from '../model/index.js';
import { minimalEnv } from './procs.js';

/** A command line: program then arguments. Never a shell string. */
export type Argv = readonly string[];

/** A command that exited non-zero, could not start, or timed out. */
export class CommandFailedError extends CyrangeError {
  readonly argv: Argv;
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(argv: Argv, exitCode: number | null, stderr: string, reason?: string) {
    const trimmed = stderr.trim().split('\n').slice(-5).join('\n');
    super(
      'CYR_COMMAND_FAILED',
      `${argv.slice(0, 4).join(' ')}${argv.length > 4 ? ' …' : ''}: ${reason ?? `exit ${exitCode}`}${trimmed ? `: ${trimmed}` : ''}`,
    );
    this.argv = argv;
    this.exitCode = exitCode;
    this.stderr = trimmed;
  }
}

export interface RunOptions {
  readonly input?: string;
  readonly signal?: AbortSignal;
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
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Short-lived helpers must not outlive the control plane that started them.
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
}

/**
 * Runs one command without a shell and collects its output. The only way Cyrange runs a
 * short-lived program; host processes that must outlive us are started by `spawnDetached`.
 */
export function run(argv: Argv, opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new CyrangeError('CYR_INTERNAL', 'run: empty argv'));
  const logFd = opts.logFile ? openSync(opts.logFile, 'a') : null;
  return new Promise<RunResult>((resolve, reject) => {
    const out_ = logFd ?? 'pipe';
    const child = spawn(cmd, args, { stdio: ['pipe', out_, out_], signal: opts.signal, cwd: opts.cwd, env: opts.env ?? minimalEnv() });
    trackChild(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        new CommandFailedError(argv, null, '', (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} is not installed` : e.message),
      );
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      const res = { code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (res.code === 0 || opts.allowFailure) resolve(res);
      else reject(new CommandFailedError(argv, code, res.stderr, sig ? `killed by ${sig}` : undefined));
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
 * kept for the error message. It dies with us, and when `signal` aborts.
 */
export function runStreaming(argv: Argv, opts: { signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {}): StreamedCommand {
  const [cmd, ...args] = argv;
  if (!cmd) throw new CyrangeError('CYR_INTERNAL', 'runStreaming: empty argv');
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? minimalEnv() });
  trackChild(child);
  const onAbort = () => child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-4096);
  });
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', (e) =>
      reject(
        new CommandFailedError(argv, null, '', (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd} is not installed` : e.message),
      ),
    );
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (code === 0 || sig === 'SIGTERM' || sig === 'SIGINT' || sig === 'SIGPIPE') resolve(code ?? 0);
      else reject(new CommandFailedError(argv, code, err, sig ? `killed by ${sig}` : undefined));
    });
  });
  return { stdout: child.stdout as NodeJS.ReadableStream, done, stop: () => child.kill('SIGTERM') };
}
