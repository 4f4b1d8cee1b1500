import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { instanceNetns } from '../dataplane/index.js';
import { isAlive, netnsInode, readPidfile, terminate } from '../sys/index.js';
import { CyrangeError } from '../model/index.js';
import { runDirOf } from './config.js';
import type { EngineContext } from './context.js';
import { repair } from './repair.js';
import { teardown } from './teardown.js';
import { type StepResult, step } from './events.js';
import { type OpLock, liveLock, withLock } from './lock.js';
import { claimInstance, ownedElsewhere } from './owner.js';
import { type LiveStatus, type RangeHealth, probeRanges } from './status.js';
import type { RangeRecord } from './store-port.js';

/** What reconcile did to one instance. */
export type ReconcileAction =
  /** Everything was up: nothing was touched. */
  | 'none'
  /** Missing or broken pieces were rebuilt (a crashed deploy was completed). */
  | 'repaired'
  /** A destroy that a dead process left half done was finished. */
  | 'destroyed'
  /** A first deploy that a dead process left half done could not be completed and was undone. */
  | 'rolled-back'
  /** The instance is not stored: the leftovers of a crashed operation were removed. */
  | 'cleaned'
  /** Left alone: another live process works on it, or its last operation failed (`--all` and `serve` leave those to the admin). */
  | 'skipped'
  /** Reconciling it failed (`--all` carries on with the others). */
  | 'failed';

/** Outcome of reconciling one instance. */
export interface ReconcileResult {
  readonly instance: string;
  readonly action: ReconcileAction;
  readonly changed: boolean;
  /** Live status before and after (`absent`: not stored any more). */
  readonly before: LiveStatus | 'absent';
  readonly after: LiveStatus | 'absent';
  /** The operation a dead process left unfinished (its lock's op), if any. */
  readonly interrupted: string | null;
  /** Why it was skipped, or what failed. */
  readonly note?: string;
  readonly steps: readonly StepResult[];
  readonly ms: number;
}

/** The lock a process that died left behind: its operation never finished. */
function deadLock(runDir: string): OpLock | null {
  try {
    const l = JSON.parse(readFileSync(join(runDir, 'op.lock'), 'utf8')) as OpLock;
    return isAlive(l) ? null : l;
  } catch {
    return null;
  }
}

/** Whether the cheap probe says an instance needs reconciling, and what to say when it is left alone. */
export function reconcileNeed(h: RangeHealth): { need: boolean; note?: string } {
  if (h.lock) return { need: false, note: `pid ${h.lock.pid} is running ${h.lock.op} on it` };
  if (h.crashed) return { need: true };
  if (h.recorded === 'failed') return { need: false, note: 'its last operation failed: reconcile it by name, or destroy it' };
  if (h.recorded === 'running' && h.status !== 'running') return { need: true };
  return { need: false };
}

/** Network namespace inode of a live process, or null. */
function netInodeOf(pid: number): number | null {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Kills what the instance's pid files name that lives on in a namespace the instance no longer
 * has (a range namespace or host namespace deleted under it): DHCP and metadata servers, host
 * processes, VMs. Left alone, they would make their `ensure` steps believe all is well.
 */
async function sweepStale(runDir: string, instance: string): Promise<number> {
  if (!existsSync(runDir)) return 0;
  const current = new Set(
    instanceNetns(instance)
      .map(netnsInode)
      .filter((i): i is number => i !== null),
  );
  const stale: number[] = [];
  for (const f of readdirSync(runDir)) {
    if (!f.endsWith('.pid') && !f.endsWith('.ref')) continue;
    const ref = readPidfile(join(runDir, f));
    if (!ref || !isAlive(ref)) continue;
    const ino = netInodeOf(ref.pid);
    if (ino !== null && !current.has(ino)) stale.push(ref.pid);
  }
  await terminate(stale);
  return stale.length;
}

/** Whether a stored range never left the `deploying` it was created with: a first deploy, not a repair. */
function firstDeploy(rec: RangeRecord): boolean {
  const r = rec as RangeRecord & { createdAt?: string; updatedAt?: string };
  return rec.status === 'deploying' && r.createdAt !== undefined && r.createdAt === r.updatedAt;
}

async function reconcileLocked(ctx: EngineContext, instance: string, before: LiveStatus | 'absent', t0: number): Promise<ReconcileResult> {
  const runDir = runDirOf(ctx.cfg, instance);
  const dead = deadLock(runDir);
  const results: StepResult[] = [];
  const sctx = { emit: ctx.emit, results, op: 'deploy' as const, instance };
  const done = (action: ReconcileAction, after: LiveStatus | 'absent', extra: Partial<ReconcileResult> = {}): ReconcileResult => ({
    instance,
    action,
    changed: action !== 'none' && action !== 'skipped' && action !== 'failed',
    before,
    after,
    interrupted: dead?.op ?? null,
    steps: [...results, ...(extra.steps ?? [])],
    ms: Math.round(performance.now() - t0),
    ...(extra.note ? { note: extra.note } : {}),
  });
  const res = await withLock(
    runDir,
    'reconcile',
    async () => {
      const rec = await ctx.store.getRange(instance);
      if (!rec) {
        // A deploy that died before its record, or a destroy that died after forgetting it.
        if (!existsSync(runDir) && instanceNetns(instance).length === 0) return done('none', 'absent');
        await step({ ...sctx, op: 'destroy' }, 'teardown', async () => {
          const errs = await teardown(ctx, instance);
          if (errs.length > 0) throw new AggregateError(errs, errs.map((e) => e.message).join('; '));
        });
        return done('cleaned', 'absent');
      }
      if (rec.status === 'planned') return done('none', 'planned');
      if (rec.status === 'destroying') {
        // A destroy always finishes: the user asked for the range to go.
        const errs = await step({ ...sctx, op: 'destroy' }, 'teardown', () => teardown(ctx, instance));
        if (errs.length > 0) {
          await ctx.store.setRangeStatus(instance, 'failed');
          throw new CyrangeError(
            'CYR_RUNTIME',
            `finishing the destroy of "${instance}" left objects behind: ${errs.map((e) => e.message).join('; ')}`,
          );
        }
        await step({ ...sctx, op: 'destroy' }, 'forget', async () => ctx.store.deleteRange(instance));
        return done('destroyed', 'absent');
      }
      claimInstance(instance, ctx.cfg.stateDir);
      const killed = await step(sctx, 'reconcile:sweep', () => sweepStale(runDir, instance));
      const fresh = firstDeploy(rec);
      try {
        const res = await repair(ctx, rec);
        return done(res.changed || killed > 0 ? 'repaired' : 'none', 'running', { steps: res.steps });
      } catch (e) {
        if (!fresh) throw e;
        // All or nothing for a first deploy, as the deploy itself would have done.
        await step(sctx, 'rollback', async () => {
          const errs = await teardown(ctx, instance);
          await ctx.store.deleteRange(instance);
          if (errs.length > 0) throw new AggregateError(errs, errs.map((x) => x.message).join('; '));
        }).catch(() => {});
        throw new CyrangeError(
          'CYR_DEPLOY_FAILED',
          `completing the interrupted deploy of "${instance}" failed: ${(e as Error).message}; rolled back`,
          {
            cause: e,
          },
        );
      }
    },
    LOCK_WAIT_MS,
  );
  // Probed once our lock is gone (it would read as `deploying`).
  return res.after === 'absent' ? res : { ...res, after: await statusNow(ctx, instance) };
}

/** How long reconcile waits for another operation on the instance to finish. */
const LOCK_WAIT_MS = 30_000;

/** The live status of an instance now; `absent` when it is not stored. */
async function statusNow(ctx: EngineContext, instance: string): Promise<LiveStatus | 'absent'> {
  const rec = await ctx.store.getRange(instance);
  if (!rec) return 'absent';
  return (await probeRanges(ctx, [rec]))[0]?.status ?? 'absent';
}

/**
 * Brings one instance back to its stored range, without the blueprint file: a destroy a dead
 * process left is finished, a deploy is completed (a first deploy that cannot be is rolled
 * back), and missing pieces are rebuilt with the same IPs, MACs, upper layers and disks. Cheap
 * and without side effects when the probe finds everything up.
 */
export async function reconcile(ctx: EngineContext, instance: string, opts: { force?: boolean } = {}): Promise<ReconcileResult> {
  const t0 = performance.now();
  const other = ownedElsewhere(instance, ctx.cfg.stateDir);
  if (other) throw new CyrangeError('CYR_CONFLICT', `instance "${instance}" belongs to another Cyrange store (${other})`);
  const rec = await ctx.store.getRange(instance);
  if (!rec) return reconcileLocked(ctx, instance, 'absent', t0);
  const [h] = await probeRanges(ctx, [rec]);
  if (!h) throw new CyrangeError('CYR_INTERNAL', `no probe of "${instance}"`);
  const need = reconcileNeed(h);
  const asked = opts.force === true && !h.lock && rec.status !== 'planned';
  if (!need.need && !asked) {
    return {
      instance,
      action: need.note ? 'skipped' : 'none',
      changed: false,
      before: h.status,
      after: h.status,
      interrupted: null,
      ...(need.note ? { note: need.note } : {}),
      steps: [],
      ms: Math.round(performance.now() - t0),
    };
  }
  return reconcileLocked(ctx, instance, h.status, t0);
}

/**
 * Reconciles every stored instance that needs it: recorded as running but not live, or left
 * mid-operation by a dead process. With nothing to do it reads the store and probes, and
 * changes nothing. `limit` bounds how many instances are rebuilt at once.
 */
export async function reconcileAll(ctx: EngineContext, opts: { limit?: number } = {}): Promise<ReconcileResult[]> {
  const t0 = performance.now();
  const recs = await ctx.store.listRanges();
  const health = await probeRanges(ctx, recs);
  const todo = health.filter((h) => reconcileNeed(h).need).map((h) => h.instance);
  const out = new Map<string, ReconcileResult>();
  for (const h of health) {
    const { note } = reconcileNeed(h);
    out.set(h.instance, {
      instance: h.instance,
      action: note ? 'skipped' : 'none',
      changed: false,
      before: h.status,
      after: h.status,
      interrupted: null,
      ...(note ? { note } : {}),
      steps: [],
      ms: Math.round(performance.now() - t0),
    });
  }
  const queue = [...todo];
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const before = health.find((h) => h.instance === i)?.status ?? 'absent';
      try {
        out.set(i, await reconcileLocked(ctx, i, before, performance.now()));
      } catch (e) {
        out.set(i, {
          instance: i,
          action: 'failed',
          changed: true,
          before,
          after: await statusNow(ctx, i).catch(() => 'absent' as const),
          interrupted: null,
          note: (e as Error).message,
          steps: [],
          ms: 0,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.limit ?? 4) }, worker));
  return [...out.values()].sort((a, b) => a.instance.localeCompare(b.instance));
}

/** Instances that `serve` reconciles at start: recorded running but not live, or left mid-operation by a dead process. */
export async function reconcileCandidates(ctx: EngineContext): Promise<RangeHealth[]> {
  const health = await probeRanges(ctx, await ctx.store.listRanges());
  return health.filter((h) => reconcileNeed(h).need);
}

/** Whether a process still holds an instance's lock (its operation is live). */
export function operationLive(ctx: EngineContext, instance: string): boolean {
  return liveLock(runDirOf(ctx.cfg, instance)) !== null;
}
