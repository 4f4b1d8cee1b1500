import { CyrangeError } from '../model/index.js';
import { type SqliteConnection, immediate, isUniqueViolation, nowIso } from './db.js';

/** A pool: identical copies of one blueprint, one per student, made and reset together. */
export interface PoolRecord {
  readonly name: string;
  readonly owner: string | null;
  /** The blueprint every copy is deployed from (as stored: passwords already hashed). */
  readonly source: string;
  /** Whether the students of this pool may reset their own copy. */
  readonly studentReset: boolean;
  readonly createdAt: string;
  /** Copies in order, each with the student it is assigned to. */
  readonly members: readonly PoolMember[];
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
}

/** Pools and their copies. A copy's range is an ordinary stored range; this records which pool it belongs to. */
export class PoolsRepo {
  constructor(private readonly conn: SqliteConnection) {}

  private members(name: string): PoolMember[] {
    return (
      this.conn.prepare('SELECT instance, position, student FROM pool_members WHERE pool = ? ORDER BY position').all(name) as Array<{
        instance: string;
        position: number;
        student: string | null;
      }>
    ).map((m) => ({ instance: m.instance, position: m.position, student: m.student }));
  }

  private record(r: PoolRow): PoolRecord {
    return {
      name: r.name,
      owner: r.owner,
      source: r.source,
      studentReset: r.student_reset === 1,
      createdAt: r.created_at,
      members: this.members(r.name),
    };
  }

  /** Records a new pool; a taken name is CYR_EXISTS. */
  create(input: { name: string; owner: string | null; source: string; studentReset: boolean }): PoolRecord {
    try {
      this.conn
        .prepare('INSERT INTO pools (name, owner, source, student_reset, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(input.name, input.owner, input.source, input.studentReset ? 1 : 0, nowIso());
    } catch (e) {
      if (isUniqueViolation(e)) throw new CyrangeError('CYR_EXISTS', `pool "${input.name}" exists`, { hint: 'see `cyrange pool ls`' });
      throw e;
    }
    return this.get(input.name) as PoolRecord;
  }

  /** A pool, or null. */
  get(name: string): PoolRecord | null {
    const r = this.conn.prepare('SELECT * FROM pools WHERE name = ?').get(name) as PoolRow | undefined;
    return r ? this.record(r) : null;
  }

  /** Every pool, oldest first. */
  list(): PoolRecord[] {
    return (this.conn.prepare('SELECT * FROM pools ORDER BY created_at, name').all() as PoolRow[]).map((r) => this.record(r));
  }

  /** The pool an instance is a copy of, or null. */
  poolOf(instance: string): PoolRecord | null {
    const m = this.conn.prepare('SELECT pool FROM pool_members WHERE instance = ?').get(instance) as { pool: string } | undefined;
    return m ? this.get(m.pool) : null;
  }

  /** Records (or re-records) one copy of a pool. */
  setMember(pool: string, m: PoolMember): void {
    this.conn
      .prepare(
        'INSERT INTO pool_members (pool, instance, position, student) VALUES (?, ?, ?, ?) ON CONFLICT (instance) DO UPDATE SET student = excluded.student',
      )
      .run(pool, m.instance, m.position, m.student);
  }

  /** Forgets one copy. */
  removeMember(instance: string): void {
    this.conn.prepare('DELETE FROM pool_members WHERE instance = ?').run(instance);
  }

  /** Forgets a pool and its copies' membership (their ranges are the engine's to destroy first). */
  delete(name: string): void {
    immediate(this.conn, () => {
      this.conn.prepare('DELETE FROM pool_members WHERE pool = ?').run(name);
      this.conn.prepare('DELETE FROM pools WHERE name = ?').run(name);
    });
  }
}
