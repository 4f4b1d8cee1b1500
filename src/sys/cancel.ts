import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` with `signal` as the signal of the work in progress: every `run()`, `waitFor()` and
 * `sleep()` inside it, across awaits, stops when it aborts unless given a signal of its own.
 */
export function withSignal<T>(signal: AbortSignal | undefined, fn: () => T): T {
  return signal ? current.run(signal, fn) : fn();
}

/** The signal of the work in progress (`withSignal`), if any. */
export function currentSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** Runs `fn` outside any signal: for the undo and clean-up that must finish after an abort. */
export function uncancellable<T>(fn: () => T): T {
  return current.exit(fn);
}
