import { Engine, configFromEnv } from '../engine/index.js';
import { openStore } from '../store/index.js';
import { progressSink } from './progress.js';

/** Opens the store and an engine that renders progress; `close` must be awaited when the command ends. */
export async function openEngine(opts: { progress?: boolean } = {}) {
  const cfg = configFromEnv();
  const store = await openStore({ stateDir: cfg.stateDir });
  const progress = opts.progress ? progressSink() : null;
  const failAt = process.env.CYRANGE_TEST_FAIL_AT;
  const engine = new Engine(store, cfg, { ...(progress ? { onEvent: progress.sink } : {}), ...(failAt ? { failAt } : {}) });
  return {
    engine,
    store,
    cfg,
    close: async () => {
      progress?.end();
      await store.close();
    },
  };
}
