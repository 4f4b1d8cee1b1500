import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Prefix of every instance and namespace a test run makes, so the final check finds this run's
 * leftovers and never touches another run's (the global set-up picks the run id).
 */
export const TEST_PREFIX = `zt${process.env.CYRANGE_TEST_RUN ?? '00'}`;

/** A unique instance name for a test range (≤ 24 chars, [a-z0-9-]). */
export function uniqueName(base: string): string {
  return `${TEST_PREFIX}${randomBytes(2).toString('hex')}-${base}`.slice(0, 24).replace(/-+$/, '');
}

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '..');
/** The CLI as users run it. */
export const CYRANGE = join(ROOT, 'bin', 'cyrange');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI with a state directory and extra environment. */
export function cli(args: readonly string[], opts: { stateDir: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<CliResult> {
  return runCmd([CYRANGE, ...args], { env: { ...process.env, CYRANGE_STATE_DIR: opts.stateDir, ...opts.env }, input: opts.input });
}

/** Runs any command without a shell and collects its output. */
export function runCmd(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string | undefined } = {}): Promise<CliResult> {
  return new Promise((res, rej) => {
    const c = spawn(argv[0] as string, argv.slice(1), { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b) => {
      stdout += b;
    });
    c.stderr.on('data', (b) => {
      stderr += b;
    });
    c.on('error', rej);
    c.on('close', (code) => res({ code: code ?? 1, stdout, stderr }));
    c.stdin.on('error', () => {});
    c.stdin.end(opts.input ?? '');
  });
}

/** Runs a command inside a named network namespace. */
export function inNs(netns: string, argv: readonly string[]): Promise<CliResult> {
  return runCmd(['nsenter', `--net=/run/netns/${netns}`, '--', ...argv]);
}

/** One ping from a namespace; true when answered. */
export async function pings(netns: string, ip: string): Promise<boolean> {
  const r = await inNs(netns, ['ping', '-c', '1', '-W', '1', '-q', ip]);
  return r.code === 0;
}

/** A fresh temporary state directory; removed by the returned cleanup. */
export function tempStateDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cyrange-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function waitFor<T>(fn: () => Promise<T> | T, ms = 10_000, every = 100): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Whether the current process can do privileged kernel work. */
export const IS_ROOT = process.getuid?.() === 0;
