import { CyrangeError } from '../model/index.js';
import { type Backend, type Db, isUniqueViolation, nowIso, transaction } from './db.js';

/** A pool: identical copies of one blueprint, one per student, made and reset together. */
export interface PoolRecord {
  readonly name: string;
  readonly owner: string | null;
  /** The blueprint every copy is deployed from (as stored: passwords already hashed). */
  readonly source: string;
  /** Whether the students of this pool may reset their own copy. */
  readonly studentReset: boolean;
  /** The snapshot (of a range of the same blueprint) every copy starts from, or null. */
  readonly golden: PoolGolden | null;
  readonly createdAt: string;
  /** Copies in order, each with the student it is assigned to. */
  readonly members: readonly PoolMember[];
}

/** A snapshot a pool's copies start from. */
export interface PoolGolden {
  readonly instance: string;
  readonly snapshot: string;
}

/** One copy of a pool. */
export interface PoolMember {
  readonly instance: string;
  readonly position: number;
  readonly student: string | null;
}

interface PoolRow {
  name: string;
  owner: string | null;
  source: string;
  student_reset: number;
  created_at: string;
  golden_instance: string | null;
  golden_snapshot: string | null;
}

/** Pools and their copies. A copy's range is an ordinary stored range; this records which pool it belongs to. */
export class PoolsRepo {
  private readonly db: Db;
  constructor(private readonly b: Backend) {
    this.db = b.db;
  }

  private async members(name: string): Promise<PoolMember[]> {
    const rows = await this.db
      .selectFrom('pool_members')
      .select(['instance', 'position', 'student'])
      .where('pool', '=', name)
      .orderBy('position')
      .execute();
    return rows.map((m) => ({ instance: m.instance, position: m.position, student: m.student }));
  }

  private async record(r: PoolRow): Promise<PoolRecord> {
    return {
      name: r.name,
      owner: r.owner,
      source: r.source,
      studentReset: r.student_reset === 1,
      golden: r.golden_instance && r.golden_snapshot ? { instance: r.golden_instance, snapshot: r.golden_snapshot } : null,
      createdAt: r.created_at,
      members: await this.members(r.name),
    };
  }

  /** Records a new pool; a taken name is CYR_EXISTS. */
  async create(input: {
    name: string;
    owner: string | null;
    source: string;
    studentReset: boolean;
    golden?: PoolGolden | null;
  }): Promise<PoolRecord> {
    try {
      await this.db
        .insertInto('pools')
        .values({
          name: input.name,
          owner: input.owner,
          source: input.source,
          student_reset: input.studentReset ? 1 : 0,
          created_at: nowIso(),
          golden_instance: input.golden?.instance ?? null,
          golden_snapshot: input.golden?.snapshot ?? null,
        })
        .execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new CyrangeError('CYR_EXISTS', `pool "${input.name}" exists`, { hint: 'see `cyrange pool ls`' });
      throw e;
    }
    return (await this.get(input.name)) as PoolRecord;
  }

  /** A pool, or null. */
  async get(name: string): Promise<PoolRecord | null> {
    const r = await this.db.selectFrom('pools').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? this.record(r) : null;
  }

  /** Every pool, oldest first. */
  async list(): Promise<PoolRecord[]> {
    const rows = await this.db.selectFrom('pools').selectAll().orderBy('created_at').orderBy('name').execute();
    return Promise.all(rows.map((r) => this.record(r)));
  }

  /** The pool an instance is a copy of, or null. */
  async poolOf(instance: string): Promise<PoolRecord | null> {
    const m = await this.db.selectFrom('pool_members').select('pool').where('instance', '=', instance).executeTakeFirst();
    return m ? this.get(m.pool) : null;
  }

  /** Records (or re-records) one copy of a pool. */
  async setMember(pool: string, m: PoolMember): Promise<void> {
    await this.db
      .insertInto('pool_members')
      .values({ pool, instance: m.instance, position: m.position, student: m.student })
      .onConflict((oc) => oc.column('instance').doUpdateSet((eb) => ({ student: eb.ref('excluded.student') })))
      .execute();
  }

  /** Forgets one copy. */
  async removeMember(instance: string): Promise<void> {
    await this.db.deleteFrom('pool_members').where('instance', '=', instance).execute();
  }

  /** Forgets a pool and its copies' membership (their ranges are the engine's to destroy first). */
  async delete(name: string): Promise<void> {
    await transaction(this.b, async (db) => {
      await db.deleteFrom('pool_members').where('pool', '=', name).execute();
      await db.deleteFrom('pools').where('name', '=', name).execute();
    });
  }
}
