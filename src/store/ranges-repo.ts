// Range instances: the `ranges` row holds the document; writeRange derives the other rows from it.
import type { Selectable } from 'kysely';
import { CyrangeError, type ResolvedRange } from '../model/index.js';
import { type Backend, type Db, type PgLocking, all, exec, first, insertId, isUniqueViolation, nowIso, transaction } from './db.js';
import type { RangesTable } from './schema.js';
import { writeRange } from './topology.js';

/** Lifecycle states of a stored range instance. */
export type RangeStatus = 'planned' | 'deploying' | 'running' | 'failed' | 'destroying';
/** A blueprint deployment, or a standalone host recorded from flags. */
export type RangeKind = 'range' | 'standalone';

/** A stored range instance. */
export interface RangeRecord {
  readonly id: number;
  readonly instance: string;
  readonly status: RangeStatus;
  readonly kind: RangeKind;
  readonly owner: string | null;
  readonly resolved: ResolvedRange;
  /** The blueprint text as the user wrote it. */
  readonly source: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What `createRange` records. */
export interface NewRange {
  readonly resolved: ResolvedRange;
  readonly source: string;
  readonly kind: RangeKind;
  readonly status: RangeStatus;
  readonly owner?: string | null;
}

/** A change to a stored resolved range: the new range, and what the caller gets back. */
export type RangeChange<T> = (current: ResolvedRange) => { range: ResolvedRange; result: T };

function toRecord(r: Selectable<RangesTable>): RangeRecord {
  return {
    id: r.id,
    instance: r.instance,
    status: r.status as RangeStatus,
    kind: r.kind as RangeKind,
    owner: r.owner,
    resolved: JSON.parse(r.resolved_json) as ResolvedRange,
    source: r.blueprint_source,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function exists(instance: string): CyrangeError {
  return new CyrangeError('CYR_EXISTS', `range instance "${instance}" already exists`, {
    hint: 'choose another --name or destroy it first',
  });
}

/** A stored instance, or null. */
export async function getRange(db: Db, instance: string): Promise<RangeRecord | null> {
  const r = await first(db.selectFrom('ranges').selectAll().where('instance', '=', instance));
  return r ? toRecord(r) : null;
}

/** Every stored instance, oldest first. */
export async function listRanges(db: Db): Promise<RangeRecord[]> {
  return (await all(db.selectFrom('ranges').selectAll().orderBy('id'))).map(toRecord);
}

/** Records a resolved range with its networks, hosts and NICs in one transaction; a taken instance name is CYR_EXISTS. */
export function createRange(b: Backend, input: NewRange): Promise<RangeRecord> {
  const r = input.resolved;
  const now = nowIso();
  return transaction(b, async (db) => {
    if (await first(db.selectFrom('ranges').select('id').where('instance', '=', r.instance))) throw exists(r.instance);
    let id: number;
    try {
      id = await insertId(
        db
          .insertInto('ranges')
          .values({
            instance: r.instance,
            blueprint_name: r.name,
            blueprint_source: input.source,
            // Written whole by writeRange below, in this transaction.
            resolved_json: '{}',
            kind: input.kind,
            status: input.status,
            owner: input.owner ?? null,
            created_at: now,
            updated_at: now,
          })
          .returning('id'),
      );
    } catch (e) {
      throw isUniqueViolation(e) ? exists(r.instance) : e;
    }
    await writeRange(db, id, r);
    const rec = await getRange(db, r.instance);
    if (!rec) throw new CyrangeError('CYR_INTERNAL', `range "${r.instance}" vanished after insert`);
    return rec;
  });
}

/** Sets an instance's status; false when no such instance is stored (not an error: rollback paths call it late). */
export async function setRangeStatus(db: Db, instance: string, status: RangeStatus): Promise<boolean> {
  return (await exec(db.updateTable('ranges').set({ status, updated_at: nowIso() }).where('instance', '=', instance))).changes > 0;
}

/** Replaces the blueprint text an instance was deployed from (an in-place apply of a changed blueprint); false when no such instance is stored. */
export async function setRangeSource(db: Db, instance: string, source: string): Promise<boolean> {
  const q = db.updateTable('ranges').set({ blueprint_source: source, updated_at: nowIso() }).where('instance', '=', instance);
  return (await exec(q)).changes > 0;
}

/** Forgets an instance; its networks, hosts, NICs, leases and uplink slot go with it. Unknown instances are a no-op. */
export async function deleteRange(db: Db, instance: string): Promise<void> {
  await exec(db.deleteFrom('ranges').where('instance', '=', instance));
}

/**
 * The one way a stored range changes: in one transaction `change` (a pure model edit) sees the
 * latest stored range, its result is checked and becomes the document, and the rows follow.
 * Concurrent callers (other connections or processes) are serialized: SQLite's IMMEDIATE
 * transaction, or on PostgreSQL the range row taken FOR UPDATE (or SERIALIZABLE with retries),
 * so two never take the same lease; a throw anywhere writes nothing.
 */
export function updateRange<T>(b: Backend, instance: string, change: RangeChange<T>, locking: PgLocking = 'lock'): Promise<T> {
  const lock = b.dialect === 'postgres' && locking === 'lock';
  return transaction(
    b,
    async (db) => {
      const row = await first(
        db
          .selectFrom('ranges')
          .selectAll()
          .where('instance', '=', instance)
          .$if(lock, (q) => q.forUpdate()),
      );
      if (!row) throw notFound(instance);
      const rec = toRecord(row);
      const { range, result } = change(rec.resolved);
      if (range.instance !== instance)
        throw new CyrangeError('CYR_INTERNAL', `a change to "${instance}" returned range "${range.instance}"`);
      await writeRange(db, rec.id, range);
      return result;
    },
    locking === 'serializable',
  );
}

/** The error for an instance that is not stored. */
export function notFound(instance: string): CyrangeError {
  return new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`);
}
