import { LIST_RANGES_HINT, type ResolvedRange, noRangeError } from '../model/index.js';
import type { RangeContext } from '../runtimes/index.js';
import { type EngineConfig, dataDirOf, runDirOf } from './config.js';
import type { EventSink, StepResult } from './events.js';
import type { EngineStore, RangeRecord } from './store-port.js';

/** What the engine works with: the store, its settings and where events go. */
export interface EngineContext {
  readonly store: EngineStore;
  readonly cfg: EngineConfig;
  readonly emit: EventSink;
  /** Test hook: fail the deploy when this step starts (e.g. `host:web`), to exercise rollback. */
  readonly failAt?: string | undefined;
  /** Cancels the operation: the `Engine` runs each one under it, so every command it runs is killed on abort. */
  readonly signal?: AbortSignal | undefined;
}

/** Result of a deploy: whether anything changed and each step's outcome, in order. */
export interface DeployResult {
  readonly instance: string;
  readonly changed: boolean;
  readonly steps: readonly StepResult[];
  readonly ms: number;
}

/** The runtime context of an instance, with pull progress routed to engine events. */
export function rangeContext(ctx: EngineContext, instance: string, range?: ResolvedRange): RangeContext {
  return {
    instance,
    runDir: runDirOf(ctx.cfg, instance),
    dataDir: dataDirOf(ctx.cfg, instance),
    images: ctx.cfg.imagesDir,
    onProgress: (host, line) => ctx.emit({ kind: 'progress', instance, step: `host:${host}`, message: line }),
    range,
    microvm: {
      assets: ctx.cfg.microvmAssets,
      accel: ctx.cfg.microvmAccel,
      bootTimeoutMs: ctx.cfg.microvmBootTimeoutMs,
      tcgCacheMb: ctx.cfg.qemuTcgCacheMb,
    },
  };
}

/** The stored record of an instance; a missing one fails with `noRangeError` and its hint. */
export async function requireRange(ctx: Pick<EngineContext, 'store'>, instance: string): Promise<RangeRecord> {
  const rec = await ctx.store.getRange(instance);
  if (!rec) throw noRangeError(instance, { hint: LIST_RANGES_HINT });
  return rec;
}
