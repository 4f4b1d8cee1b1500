import { constants } from 'node:os';
import { Engine, configFromEnv } from '../engine/index.js';
import { CyrangeError } from '../model/index.js';
import { progressSink } from './progress.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The first SIGINT or SIGTERM aborts the command's engine work, which then undoes what it did (a
 * deploy rolls back) and fails; the command exits 128 + the signal's number. A second one ends the
 * process at once. Returns the signal to pass to the engine and what removes the handlers.
 */
function cancelOnSignals(): { signal: AbortSignal; release: () => void } {
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    const status = 128 + (constants.signals[sig] ?? 0);
    if (stop.signal.aborted) process.exit(status);
    process.exitCode = status;
    process.stderr.write(`cyrange: ${sig}: stopping, and undoing what this command did; again to quit at once\n`);
    stop.abort(new Error(`interrupted by ${sig}`));
  };
  for (const sig of SIGNALS) process.on(sig, onSignal);
  const release = () => {
    for (const sig of SIGNALS) process.off(sig, onSignal);
  };
  return { signal: stop.signal, release };
}

/**
 * Opens the store and an engine that renders progress; `close` must be awaited when the command ends.
 * `signals: false` leaves SIGINT and SIGTERM to the command (one that runs until signalled).
 */
export async function openEngine(opts: { progress?: boolean; signals?: boolean } = {}) {
  const cfg = configFromEnv();
  const progress = opts.progress ? progressSink() : null;
  const failAt = process.env.CYRANGE_TEST_FAIL_AT;
  const cancel = opts.signals === false ? null : cancelOnSignals();
  const engine = await Engine.open(cfg, {
    ...(progress ? { onEvent: progress.sink } : {}),
    ...(failAt ? { failAt } : {}),
    ...(cancel ? { signal: cancel.signal } : {}),
  }).catch((e: unknown) => {
    cancel?.release();
    throw e;
  });
  return {
    engine,
    cfg,
    close: async () => {
      progress?.end();
      await engine.close();
      cancel?.release();
    },
  };
}

/** Users, tokens and assignments of the store. */
export type Access = NonNullable<Engine['access']>;

/** The users, tokens and assignments of an engine's store. */
export function accessOf(engine: Engine): Access {
  if (!engine.access) throw new CyrangeError('CYR_INTERNAL', 'this store keeps no users');
  return engine.access;
}

/** Runs `fn` on the store's users and tokens, then closes the store. */
export async function withAccess<T>(fn: (access: Access) => T | Promise<T>): Promise<T> {
  const ctx = await openEngine();
  try {
    return await fn(accessOf(ctx.engine));
  } finally {
    await ctx.close();
  }
}
