import { type Actor, CyrangeError, RANGE_NAME, type RawRange, ValidationError, resolveRange } from '../model/index.js';
import { type AccessRepo, type PoolGolden, type PoolMember, type PoolRecord, type PoolsRepo, issueToken } from '../store/index.js';
import { admitBatch } from './admission.js';
import type { EngineContext } from './context.js';
import { deploy } from './deploy.js';
import { destroy } from './destroy.js';
import { mapLimit } from './limit.js';
import { type Snapshot, applySnapshot, snapshotOf } from './snapshots.js';

/** One student of a class roster (`name[,email]`). */
export interface RosterEntry {
  readonly name: string;
  readonly email?: string | undefined;
}

/** What happened to one copy of a pool. */
export interface CopyResult {
  readonly instance: string;
  readonly position: number;
  readonly ok: boolean;
  readonly error?: string;
  readonly attempts: number;
  readonly student: string | null;
  /** The student's new login token, when the pool made them a user. */
  readonly token?: string;
}

/** Progress of a pool operation, for a live bar. */
export interface PoolProgress {
  readonly ranges: number;
  readonly rangesDone: number;
  readonly hostsDone: number;
  readonly hosts: number;
  readonly failed: number;
}

/** What a pool operation needs beside the engine: the pool and user tables. */
export interface PoolDeps {
  readonly pools: PoolsRepo;
  readonly access: AccessRepo | null;
  readonly onProgress?: (p: PoolProgress) => void;
}

/** Name of copy `position` (1-based) of a pool: `class1-01` … */
export function copyName(pool: string, position: number, size: number): string {
  return `${pool}-${String(position).padStart(Math.max(2, String(size).length), '0')}`;
}

/** Copies deployed at once: each deploy runs its hosts `concurrency` at a time already. */
function copiesAtOnce(ctx: EngineContext): number {
  return Math.max(1, Math.ceil(ctx.cfg.concurrency / 2));
}

function checkPoolName(name: string, size: number): void {
  const longest = copyName(name, size, size);
  if (!RANGE_NAME.test(longest))
    throw new ValidationError([
      { path: '--name', message: `"${name}" gives copy names like "${longest}", which must match [a-z0-9-], 1..24 chars` },
    ]);
}

/** Makes the roster's students users (when missing) and hands out login tokens to the new ones. */
async function ensureStudent(access: AccessRepo, entry: RosterEntry): Promise<{ token?: string }> {
  const existing = await access.userByName(entry.name);
  if (existing) {
    if (existing.role !== 'student')
      throw new CyrangeError('CYR_CONFLICT', `roster name "${entry.name}" is a user with role ${existing.role}, not a student`);
    return {};
  }
  const user = await access.createUser(entry.name, 'student');
  return { token: (await issueToken(access, user.id, { label: 'pool roster' })).token };
}

async function deployCopies(
  ctx: EngineContext,
  deps: PoolDeps,
  pool: PoolRecord,
  raw: RawRange,
  positions: readonly number[],
  size: number,
  roster: readonly RosterEntry[],
  actor: Actor,
  golden?: { dir: string; snap: Snapshot },
): Promise<CopyResult[]> {
  const ranges = positions.map((p) => resolveRange(raw, { instance: copyName(pool.name, p, size) }));
  // Admission for the whole batch before any copy is made, quotas counted over every copy.
  await admitBatch(ctx.cfg, ctx.store, actor, ranges);
  const progress: PoolProgress = {
    ranges: ranges.length,
    rangesDone: 0,
    hosts: ranges.reduce((n, r) => n + r.hosts.length, 0),
    hostsDone: 0,
    failed: 0,
  };
  let state = progress;
  const bump = (d: Partial<PoolProgress>) => {
    state = {
      ...state,
      rangesDone: state.rangesDone + (d.rangesDone ?? 0),
      hostsDone: state.hostsDone + (d.hostsDone ?? 0),
      failed: state.failed + (d.failed ?? 0),
    };
    deps.onProgress?.(state);
  };
  const mine = new Set(ranges.map((r) => r.instance));
  const counting: EngineContext = {
    ...ctx,
    emit: (e) => {
      ctx.emit(e);
      if (e.kind === 'step' && e.status === 'done' && e.step.startsWith('host:') && mine.has(e.instance)) bump({ hostsDone: 1 });
    },
  };
  deps.onProgress?.(state);
  const jobs = ranges.map((range, i) => ({ range, position: positions[i] as number }));
  return mapLimit(jobs, copiesAtOnce(ctx), async ({ range, position }) => {
    const entry = roster[position - 1];
    await deps.pools.setMember(pool.name, { instance: range.instance, position, student: entry?.name ?? null });
    let attempts = 0;
    let error: string | undefined;
    // A copy that fails is rolled back by deploy, tried once more, then reported; the others go on.
    while (attempts < 2) {
      attempts++;
      try {
        await deploy(counting, range, pool.source, pool.owner);
        // A pool started from a golden range: each copy gets that snapshot's writes.
        if (golden) await applySnapshot(ctx, range.instance, golden.dir, golden.snap);
        error = undefined;
        break;
      } catch (e) {
        error = (e as Error).message;
      }
    }
    let token: string | undefined;
    if (!error && entry && deps.access) {
      token = (await ensureStudent(deps.access, entry)).token;
      const user = await deps.access.userByName(entry.name);
      if (user) await deps.access.assign(range.instance, user.id);
    }
    bump(error ? { failed: 1 } : { rangesDone: 1 });
    return {
      instance: range.instance,
      position,
      ok: !error,
      attempts,
      student: entry?.name ?? null,
      ...(error ? { error } : {}),
      ...(token ? { token } : {}),
    };
  });
}

/**
 * Deploys `size` copies of one blueprint (`<name>-01` …), concurrently within the engine's bound,
 * with the same IPs in each; with a roster, each student gets a user (made if missing) and their own copy.
 */
export async function createPool(
  ctx: EngineContext,
  deps: PoolDeps,
  input: {
    name: string;
    raw: RawRange;
    source: string;
    size: number;
    owner: string | null;
    actor: Actor;
    roster?: readonly RosterEntry[];
    studentReset?: boolean;
    /** Start every copy from this snapshot of a range of the same blueprint. */
    fromSnapshot?: { readonly instance: string; readonly name: string } | undefined;
  },
): Promise<{ pool: PoolRecord; copies: CopyResult[] }> {
  const golden = input.fromSnapshot ? snapshotOf(ctx, input.fromSnapshot.instance, input.fromSnapshot.name) : undefined;
  const roster = input.roster ?? [];
  const size = Math.max(input.size, roster.length);
  if (!Number.isInteger(size) || size < 1 || size > 500)
    throw new ValidationError([{ path: '--size', message: `${input.size} must be 1..500` }]);
  checkPoolName(input.name, size);
  const names = new Set<string>();
  roster.forEach((r, i) => {
    if (names.has(r.name)) throw new ValidationError([{ path: `roster[${i}].name`, message: `"${r.name}" is listed twice` }]);
    names.add(r.name);
  });
  const pool = await deps.pools.create({
    name: input.name,
    owner: input.owner,
    source: input.source,
    studentReset: input.studentReset ?? false,
    golden: input.fromSnapshot ? { instance: input.fromSnapshot.instance, snapshot: input.fromSnapshot.name } : null,
  });
  const positions = Array.from({ length: size }, (_, i) => i + 1);
  const copies = await deployCopies(ctx, deps, pool, input.raw, positions, size, roster, input.actor, golden);
  return { pool: (await deps.pools.get(pool.name)) as PoolRecord, copies };
}

/** The snapshot a pool's copies start from; gone, it is CYR_NOT_FOUND naming it (new copies would differ from the others). */
function goldenOf(ctx: EngineContext, pool: string, g: PoolGolden): { dir: string; snap: Snapshot } {
  try {
    return snapshotOf(ctx, g.instance, g.snapshot);
  } catch (e) {
    if (!(e instanceof CyrangeError) || e.code !== 'CYR_NOT_FOUND') throw e;
    throw new CyrangeError(
      'CYR_NOT_FOUND',
      `pool "${pool}" starts its copies from snapshot "${g.snapshot}" of "${g.instance}", which is gone`,
      {
        hint: `create it again (cyrange snapshot create ${g.instance} ${g.snapshot}) before growing the pool`,
      },
    );
  }
}

/** A pool by name, or CYR_NOT_FOUND. */
export async function getPool(deps: Pick<PoolDeps, 'pools'>, name: string): Promise<PoolRecord> {
  const p = await deps.pools.get(name);
  if (!p) throw new CyrangeError('CYR_NOT_FOUND', `no pool "${name}"`, { hint: 'see `cyrange pool ls`' });
  return p;
}

/** Grows a pool with new copies, or shrinks it by destroying its last ones. */
export async function resizePool(
  ctx: EngineContext,
  deps: PoolDeps,
  name: string,
  size: number,
  raw: RawRange,
  actor: Actor,
): Promise<{ pool: PoolRecord; added: CopyResult[]; removed: string[] }> {
  const pool = await getPool(deps, name);
  if (!Number.isInteger(size) || size < 0 || size > 500) throw new ValidationError([{ path: 'size', message: `${size} must be 0..500` }]);
  const have = pool.members.length;
  if (size > have) {
    const width = Math.max(size, ...pool.members.map((m) => m.position));
    const positions = Array.from({ length: size - have }, (_, i) => have + i + 1);
    // New copies start where the others did: from the pool's snapshot, which must still exist.
    const golden = pool.golden ? goldenOf(ctx, pool.name, pool.golden) : undefined;
    const added = await deployCopies(ctx, deps, pool, raw, positions, width, [], actor, golden);
    return { pool: await getPool(deps, name), added, removed: [] };
  }
  const gone = [...pool.members].sort((a, b) => b.position - a.position).slice(0, have - size);
  await removeCopies(ctx, deps, gone);
  return { pool: await getPool(deps, name), added: [], removed: gone.map((m) => m.instance) };
}

async function removeCopies(ctx: EngineContext, deps: PoolDeps, members: readonly PoolMember[]): Promise<void> {
  const errors: string[] = [];
  await mapLimit(members, copiesAtOnce(ctx), async (m) => {
    try {
      await destroy(ctx, m.instance);
      await deps.pools.removeMember(m.instance);
    } catch (e) {
      errors.push(`${m.instance}: ${(e as Error).message}`);
    }
  });
  if (errors.length > 0)
    throw new CyrangeError('CYR_RUNTIME', `some copies were not removed: ${errors.join('; ')}`, {
      hint: 'run the command again, or `cyrange gc`',
    });
}

/** Destroys every copy of a pool (their students' assignments go with them) and forgets the pool. */
export async function destroyPool(ctx: EngineContext, deps: PoolDeps, name: string): Promise<string[]> {
  const pool = await getPool(deps, name);
  await removeCopies(ctx, deps, pool.members);
  await deps.pools.delete(name);
  return pool.members.map((m) => m.instance);
}
