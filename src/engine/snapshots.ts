import { uncancellable } from '../sys/index.js';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CyrangeError, IMAGE_NAME, type ResolvedHost, ValidationError, LIST_RANGES_HINT, noRangeError } from '../model/index.js';
import { getRuntime } from '../runtimes/index.js';
import { dataDirOf } from './config.js';
import { type EngineContext, rangeContext } from './context.js';
import { hostActionLocked } from './host-ops.js';
import { mapLimit } from './limit.js';
import { withLock } from './lock.js';

/** One saved state of a range: every host's writes, taken while all of them were frozen. */
export interface Snapshot {
  readonly name: string;
  readonly instance: string;
  readonly hosts: readonly string[];
  readonly createdAt: string;
}

const META = 'snapshot.json';

/** Snapshots live with the range's per-host data, so destroy removes them with it. */
function snapshotsDir(ctx: EngineContext, instance: string): string {
  return join(dataDirOf(ctx.cfg, instance), '.snapshots');
}

async function rangeOf(ctx: EngineContext, instance: string) {
  const rec = await ctx.store.getRange(instance);
  if (!rec) throw noRangeError(instance, { hint: LIST_RANGES_HINT });
  return rec.resolved;
}

/** The snapshots of a range, oldest first. */
export async function listSnapshots(ctx: EngineContext, instance: string): Promise<Snapshot[]> {
  await rangeOf(ctx, instance);
  const dir = snapshotsDir(ctx, instance);
  const out: Snapshot[] = [];
  for (const n of existsSync(dir) ? readdirSync(dir) : []) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, n, META), 'utf8')) as Snapshot);
    } catch {
      // a snapshot cut short by a crash has no record: not a snapshot
    }
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** A stored snapshot and its directory, or CYR_NOT_FOUND. */
export function snapshotOf(ctx: EngineContext, instance: string, name: string): { dir: string; snap: Snapshot } {
  const dir = join(snapshotsDir(ctx, instance), name);
  try {
    return { dir, snap: JSON.parse(readFileSync(join(dir, META), 'utf8')) as Snapshot };
  } catch {
    throw new CyrangeError('CYR_NOT_FOUND', `no snapshot "${name}" of "${instance}"`, { hint: `see \`cyrange snapshot ls ${instance}\`` });
  }
}

/**
 * Saves a consistent snapshot of a running range: every host is frozen (cgroup freezer, docker
 * pause, QMP stop) before any is copied, and thawed after, whatever happened.
 */
export async function createSnapshot(ctx: EngineContext, instance: string, name: string): Promise<Snapshot> {
  if (!IMAGE_NAME.test(name))
    throw new ValidationError([{ path: 'name', message: `"${name}" must match [a-z0-9][a-z0-9._-]*, up to 64 chars` }]);
  const range = await rangeOf(ctx, instance);
  const rctx = rangeContext(ctx, instance, range);
  return withLock(rctx.runDir, 'snapshot', async () => {
    const final = join(snapshotsDir(ctx, instance), name);
    if (existsSync(final))
      throw new CyrangeError('CYR_EXISTS', `snapshot "${name}" of "${instance}" exists`, { hint: 'remove it first, or pick another name' });
    const tmp = join(snapshotsDir(ctx, instance), `.new-${name}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const frozen: ResolvedHost[] = [];
    try {
      for (const h of range.hosts) {
        if ((await getRuntime(h.runtime).state(rctx, h)) !== 'running') continue;
        await getRuntime(h.runtime).freeze(rctx, h, true);
        frozen.push(h);
      }
      await mapLimit(range.hosts, ctx.cfg.concurrency, (h) => getRuntime(h.runtime).saveWrites(rctx, h, join(tmp, h.name)));
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    } finally {
      // Thawed even when the operation was aborted.
      await uncancellable(async () => {
        for (const h of frozen) await getRuntime(h.runtime).freeze(rctx, h, false);
      });
    }
    const snap: Snapshot = { name, instance, hosts: range.hosts.map((h) => h.name), createdAt: new Date().toISOString() };
    writeFileSync(join(tmp, META), `${JSON.stringify(snap, null, 2)}\n`);
    renameSync(tmp, final);
    return snap;
  });
}

/** Puts every host of a snapshot back to its saved state (stop, restore its writes, start); addresses and MACs stay. */
export async function restoreSnapshot(ctx: EngineContext, instance: string, name: string): Promise<Snapshot> {
  await rangeOf(ctx, instance);
  const { dir, snap } = snapshotOf(ctx, instance, name);
  await applySnapshot(ctx, instance, dir, snap);
  return snap;
}

/**
 * Restores a snapshot's saved writes into the hosts of `instance` — its own range, or a copy of
 * the same blueprint (a pool started from a golden range).
 */
export async function applySnapshot(ctx: EngineContext, instance: string, dir: string, snap: Snapshot): Promise<void> {
  const range = await rangeOf(ctx, instance);
  const hosts = snap.hosts.filter((h) => range.hosts.some((x) => x.name === h));
  await withLock(rangeContext(ctx, instance).runDir, 'snapshot restore', () =>
    mapLimit(hosts, ctx.cfg.concurrency, (h) => hostActionLocked(ctx, instance, h, 'reset', dir)),
  );
}

/** Removes one snapshot, with what its hosts' runtimes kept outside it (docker images). */
export async function removeSnapshot(ctx: EngineContext, instance: string, name: string): Promise<void> {
  const range = await rangeOf(ctx, instance);
  const { dir, snap } = snapshotOf(ctx, instance, name);
  const rctx = rangeContext(ctx, instance, range);
  await withLock(rctx.runDir, 'snapshot rm', async () => {
    // A host removed from the range since keeps its image until the range is destroyed (purge finds it by tag).
    for (const h of range.hosts.filter((x) => snap.hosts.includes(x.name)))
      await getRuntime(h.runtime).forgetWrites(rctx, h, join(dir, h.name));
    rmSync(dir, { recursive: true, force: true });
  });
}
