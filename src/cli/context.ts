import { Engine, configFromEnv } from '../engine/index.js';
import { CyrangeError } from '../model/index.js';
import { progressSink } from './progress.js';

/** Opens the store and an engine that renders progress; `close` must be awaited when the command ends. */
export async function openEngine(opts: { progress?: boolean } = {}) {
  const cfg = configFromEnv();
  const progress = opts.progress ? progressSink() : null;
  const failAt = process.env.CYRANGE_TEST_FAIL_AT;
  const engine = await Engine.open(cfg, { ...(progress ? { onEvent: progress.sink } : {}), ...(failAt ? { failAt } : {}) });
  return {
    engine,
    cfg,
    close: async () => {
      progress?.end();
      await engine.close();
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
