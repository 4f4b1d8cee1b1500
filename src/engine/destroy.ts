import { CyrangeError } from '../model/index.js';
import { runDirOf } from './config.js';
import { type StepResult, step } from './events.js';
import type { EngineContext } from './context.js';
import { teardown } from './teardown.js';
import { acquireLock } from './lock.js';
import { ownedElsewhere } from './owner.js';

/** Result of a destroy: whether the store knew the instance, and each step's outcome. */
export interface DestroyResult {
  readonly instance: string;
  readonly existed: boolean;
  readonly steps: readonly StepResult[];
}

/**
 * Destroys an instance: every tagged object goes, then the stored record. Destroying twice, or an
 * instance that never deployed, succeeds. Teardown carries on past failures and reports them all;
 * the record then stays as `failed` so a later destroy or gc can finish.
 */
export async function destroy(ctx: EngineContext, instance: string): Promise<DestroyResult> {
  const results: StepResult[] = [];
  const sctx = { emit: ctx.emit, results, op: 'destroy' as const, instance };
  const other = ownedElsewhere(instance, ctx.cfg.stateDir);
  if (other) throw new CyrangeError('CYR_NOT_FOUND', `instance "${instance}" belongs to another Cyrange store (${other})`);
  const release = acquireLock(runDirOf(ctx.cfg, instance), 'destroy');
  let existed = false;
  try {
    const rec = await ctx.store.getRange(instance);
    existed = rec !== null;
    if (rec) await ctx.store.setRangeStatus(instance, 'destroying');
    const errors = await step(sctx, 'teardown', async () => {
      const errs = await teardown(ctx, instance);
      if (errs.length > 0) throw new AggregateError(errs, errs.map((e) => e.message).join('; '));
      return errs;
    }).catch((e: unknown) => [e as Error]);
    if (errors.length > 0) {
      if (rec) await ctx.store.setRangeStatus(instance, 'failed');
      throw new CyrangeError('CYR_RUNTIME', `destroy of "${instance}" left objects behind: ${errors.map((e) => e.message).join('; ')}`, {
        hint: 'run `cyrange gc` or destroy again',
      });
    }
    if (rec) await step(sctx, 'forget', async () => ctx.store.deleteRange(instance));
  } finally {
    release();
  }
  return { instance, existed, steps: results };
}
