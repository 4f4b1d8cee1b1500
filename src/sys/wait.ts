import { CyrangeError } from '../model/index.js';
import { currentSignal } from './cancel.js';

/** Resolves after `ms` milliseconds; rejects early when `signal` (default: the work's, `withSignal`) aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined = currentSignal()): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How `waitFor` polls. */
export interface WaitOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Pause between checks; default 20 ms. */
  readonly intervalMs?: number;
  /** Stops waiting (rejects with the abort reason); default: the signal of the work in progress. */
  readonly signal?: AbortSignal | undefined;
  /** Stops waiting early, false, when this says the awaited thing can no longer happen (its process died). */
  readonly while?: () => boolean;
}

/**
 * Polls `check` until it returns true (resolves true), the time is up or `while` turns false
 * (resolves false). The condition is checked once more at the deadline, so a slow last step counts.
 */
export async function waitFor(check: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (opts.while && !opts.while()) return false;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(opts.intervalMs ?? 20, Math.max(0, deadline - Date.now())), opts.signal);
  }
}

/** The error of an operation cancelled through its signal: the abort reason when it is an error. */
export function abortError(signal: AbortSignal): Error {
  const r = signal.reason as unknown;
  if (r instanceof Error) return r;
  return new CyrangeError('CYR_INTERNAL', typeof r === 'string' ? `aborted: ${r}` : 'aborted');
}
