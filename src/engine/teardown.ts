// Taking an instance apart: everything found by its tags, best effort, failures reported at the end.
import { rmSync } from 'node:fs';
import { removeRangeNetwork } from '../dataplane/index.js';
import { CyrangeError, type ResolvedRange } from '../model/index.js';
import { allRuntimes, mountsUnder, removeRangeCgroup } from '../runtimes/index.js';
import { uncancellable } from '../sys/index.js';
import { dataDirOf, runDirOf } from './config.js';
import type { EngineContext } from './context.js';
import { type StepResult, step } from './events.js';
import { releaseInstance } from './owner.js';

/** Removes every kernel and runtime object of an instance, found by tags; returns the failures. */
export async function teardown(ctx: Pick<EngineContext, 'cfg'>, instance: string): Promise<Error[]> {
  const errors: Error[] = [];
  for (const rt of allRuntimes()) {
    try {
      await rt.purge(instance);
    } catch (e) {
      errors.push(e as Error);
    }
  }
  errors.push(...(await removeRangeNetwork(instance, ctx.cfg.uplinkNetns)));
  removeRangeCgroup(instance);
  rmSync(runDirOf(ctx.cfg, instance), { recursive: true, force: true });
  // Runtimes unmounted what they mounted there in purge; a mount left over is reported, never deleted through.
  const dataDir = dataDirOf(ctx.cfg, instance);
  const mounted = mountsUnder(dataDir);
  if (mounted.length > 0) errors.push(new CyrangeError('CYR_RUNTIME', `still mounted, not removed: ${mounted.join(', ')}`));
  else if (errors.length === 0) rmSync(dataDir, { recursive: true, force: true });
  if (errors.length === 0) releaseInstance(instance, ctx.cfg.stateDir);
  return errors;
}

/**
 * Undoes a deploy that did not finish: tears the instance down and forgets it. Runs outside the
 * operation's signal, so an aborted deploy is still rolled back.
 */
export async function rollback(ctx: EngineContext, range: ResolvedRange, results: StepResult[]): Promise<void> {
  const emitCtx = { emit: ctx.emit, results, op: 'deploy' as const, instance: range.instance };
  try {
    await uncancellable(() =>
      step(emitCtx, 'rollback', async () => {
        const errors = await teardown(ctx, range.instance);
        await ctx.store.deleteRange(range.instance);
        if (errors.length > 0) throw new AggregateError(errors, errors.map((x) => x.message).join('; '));
      }),
    );
  } catch {
    // Reported as a failed rollback step; gc can finish the job.
  }
}
