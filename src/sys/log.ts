// The one structured logger: pino, to stderr, at the level CYRANGE_LOG names (silent when unset, so the CLI stays quiet).
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { DestinationStream, Level, Logger, default as Pino } from 'pino';

/** pino, loaded at first use: a quiet CLI command never pays its ~20 ms of start-up. */
const pino = (): typeof Pino => createRequire(import.meta.url)('pino');

/** What a silent root logger is: nothing, without loading pino. */
const SILENT: Logger = Object.assign(Object.create(null), {
  level: 'silent',
  isLevelEnabled: () => false,
  child: () => SILENT,
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  fatal() {},
  silent() {},
});

/** What log lines of one piece of work carry: the range, host, step and job it belongs to. */
export interface LogBindings {
  readonly range?: string;
  readonly host?: string;
  readonly step?: string;
  readonly job?: string;
  readonly [key: string]: unknown;
}

const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The level `CYRANGE_LOG` asks for: unset, empty or `0` is silent; `1` (request logs) is info; a pino level name is itself. */
export function logLevelOf(value: string | undefined): Level | 'silent' {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'off' || v === 'silent') return 'silent';
  return (LEVELS as readonly string[]).includes(v) ? (v as Level) : 'info';
}

/** Whether CYRANGE_LOG turns logging on at all. */
export function loggingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return logLevelOf(env.CYRANGE_LOG) !== 'silent';
}

/** A logger at `level`, writing JSON lines to `dest` (default: stderr, synchronously, so no line is lost at exit). */
export function createLogger(level: Level | 'silent', dest?: DestinationStream): Logger {
  const p = pino();
  return p({ level, base: { pid: process.pid } }, dest ?? p.destination({ fd: 2, sync: true }));
}

let root: Logger | null = null;
const context = new AsyncLocalStorage<Logger>();

/** The process's root logger, made at first use from CYRANGE_LOG. */
export function rootLogger(): Logger {
  if (!root) {
    const level = logLevelOf(process.env.CYRANGE_LOG);
    root = level === 'silent' ? SILENT : createLogger(level);
  }
  return root;
}

/** The root logger when it logs at info or below, else an info-level one to stderr: for a server asked for request logs. */
export function atLeastInfo(): Logger {
  const r = rootLogger();
  return r.isLevelEnabled('info') ? r : createLogger('info');
}

/** Replaces the root logger (tests; a server that brings its own). */
export function setRootLogger(l: Logger | null): void {
  root = l;
}

/** The logger of the work in progress: the root's child with every binding `withLogContext` added around it. */
export function log(): Logger {
  return context.getStore() ?? rootLogger();
}

/** Runs `fn` with `bindings` added to every line logged inside it, across awaits. */
export function withLogContext<T>(bindings: LogBindings, fn: () => T): T {
  return context.run(log().child(bindings), fn);
}

/** Flags whose next argument is a secret, and `KEY=value` keys whose value is. */
const SECRET_NAME = /pass(word|wd)?|token|secret|credential|api[-_]?key|auth/i;
/** A crypt(3) hash (`$6$salt$…`, `$y$…`): never logged, even as a positional argument. */
const CRYPT_HASH = /^\$(1|2[abxy]?|5|6|7|y|gy|sha1|md5)\$/;

const MAX_ARG = 200;

/**
 * An argv fit for a log line: values of secret-named flags (`--password X`, `--token=X`),
 * secret-named `KEY=value` pairs and crypt hashes become `***`. What it runs stays readable.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const a of argv) {
    if (hideNext) {
      out.push('***');
      hideNext = false;
      continue;
    }
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(0, eq) : null;
    if (CRYPT_HASH.test(a)) out.push('***');
    else if (key !== null && SECRET_NAME.test(key)) out.push(`${key}=***`);
    else {
      // Long arguments (scripts, key lists) are cut: a log line names the command, it is no copy of it.
      out.push(a.length > MAX_ARG ? `${a.slice(0, MAX_ARG)}…` : a);
      hideNext = /^--?[a-z]/i.test(a) && eq < 0 && SECRET_NAME.test(a);
    }
  }
  return out;
}

/** Whether `argv` reads kernel commands from stdin (`ip -batch -`, `tc -batch -`, `nft -f -`): its input is the command. */
function readsBatch(argv: readonly string[]): boolean {
  const prog = argv[0]?.split('/').pop();
  const flag = prog === 'nft' ? '-f' : prog === 'ip' || prog === 'tc' ? '-batch' : null;
  return flag !== null && argv.some((a, i) => a === flag && argv[i + 1] === '-');
}

const MAX_BATCH_LINES = 100;

/**
 * Logs one command at debug level: its argv (secrets hidden), how it ended (`code`, `ms`, …) and,
 * for a batch of ip, tc or nft commands on stdin, those commands. Other input is never logged.
 */
export function logCommand(argv: readonly string[], fields: Readonly<Record<string, unknown>>, input?: string): void {
  const l = log();
  if (!l.isLevelEnabled('debug')) return;
  const batch = input && readsBatch(argv) ? input.split('\n').filter(Boolean) : null;
  const more = batch && batch.length > MAX_BATCH_LINES ? { batchLines: batch.length } : {};
  l.debug({ argv: redactArgv(argv), ...fields, ...(batch ? { batch: batch.slice(0, MAX_BATCH_LINES), ...more } : {}) }, 'exec');
}
