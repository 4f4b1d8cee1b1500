// Deploying a resolved range: a new instance is built (rolled back on failure), an existing one applied or repaired.
import type { ResolvedRange } from '../model/index.js';
import { applyLocked } from './apply.js';
import { build, checkDeployable, wrapFailure } from './bring-up.js';
import { runDirOf } from './config.js';
import type { DeployResult, EngineContext } from './context.js';
import type { StepResult } from './events.js';
import { acquireLock } from './lock.js';
import { claimInstance } from './owner.js';
import { repair } from './repair.js';
import type { RangeRecord } from './store-port.js';
import { rollback } from './teardown.js';

/**
 * Deploys a resolved range. A new instance is recorded first (so gc can tell it is in progress),
 * then built; any failure rolls everything back and rethrows. Deploying an existing instance with
 * the same blueprint repairs what is missing and reports `changed: false` when nothing was.
 */
export async function deploy(
  ctx: EngineContext,
  range: ResolvedRange,
  source: string,
  owner: string | null = null,
  mayChange?: (existing: RangeRecord) => unknown,
): Promise<DeployResult> {
  const t0 = performance.now();
  checkDeployable(ctx, range);
  const runDir = runDirOf(ctx.cfg, range.instance);
  // The lock comes before the record, so gc never mistakes a deploy in progress for a crashed one.
  claimInstance(range.instance, ctx.cfg.stateDir);
  const release = acquireLock(runDir, 'deploy');
  try {
    const existing = await ctx.store.getRange(range.instance);
    if (existing) {
      // Asked under the lock: an instance made since the caller looked is checked too.
      await mayChange?.(existing);
      // A changed blueprint is applied in place: exactly its diff, `replace` changes refused (apply.ts).
      if (JSON.stringify(existing.resolved) !== JSON.stringify(range)) return await applyLocked(ctx, existing, range, source, {}, t0);
      return await repair(ctx, existing, t0);
    }
    const record = await ctx.store.createRange({ resolved: range, source, kind: 'range', status: 'deploying', owner });
    const results: StepResult[] = [];
    try {
      await build(ctx, record, range.hosts, results, true);
      await ctx.store.setRangeStatus(range.instance, 'running');
      return { instance: range.instance, changed: true, steps: results, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      await rollback(ctx, range, results);
      throw wrapFailure(range.instance, results, e, ctx.signal);
    }
  } finally {
    release();
  }
}
