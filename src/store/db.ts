import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type SqliteDialectConfig,
  type Transaction,
} from 'kysely';
import type pg from 'pg';
import { CyrangeError } from '../model/index.js';
import type { DB } from './schema.js';

/** Which database engine holds the store. */
export type Dialect = 'sqlite' | 'postgres';

/** A database or a transaction on it: what the repositories query through. */
export type Db = Kysely<DB>;

/** An open store database: Kysely over better-sqlite3 or a `pg` pool. */
export interface Backend {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
}

/**
 * How PostgreSQL serializes the edits of one range: `lock` (the default) takes the range row
 * FOR UPDATE; `serializable` runs the edit at SERIALIZABLE and retries on a serialization failure.
 */
export type PgLocking = 'lock' | 'serializable';

/** Kysely's SQLite driver with transactions that begin IMMEDIATE: the write lock is taken before the first read. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SqliteDialect whose driver begins transactions IMMEDIATE, so cross-process read-then-write never deadlocks. */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** Runs a query and returns its rows. */
export function all<R>(q: { execute(): Promise<R[]> }): Promise<R[]> {
  return q.execute();
}

/** Runs a query and returns its first row, or undefined. */
export function first<R>(q: { executeTakeFirst(): Promise<R | undefined> }): Promise<R | undefined> {
  return q.executeTakeFirst();
}

/** Runs an insert, update or delete; returns how many rows it changed. */
export async function exec(q: { executeTakeFirst(): Promise<unknown> }): Promise<{ changes: number }> {
  const r = (await q.executeTakeFirst()) as { numUpdatedRows?: bigint; numDeletedRows?: bigint; numInsertedOrUpdatedRows?: bigint };
  return { changes: Number(r.numUpdatedRows ?? r.numDeletedRows ?? r.numInsertedOrUpdatedRows ?? 0) };
}

/** Runs an insert of one row `RETURNING id` (both dialects have it) and returns the new id. */
export async function insertId(q: { executeTakeFirstOrThrow(): Promise<{ id: number }> }): Promise<number> {
  return Number((await q.executeTakeFirstOrThrow()).id);
}

/** Whether `e` is the database refusing a row for a UNIQUE constraint (or unique index / primary key). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** Whether `e` is PostgreSQL giving up a transaction it could not serialize (retry it). */
function isSerializationFailure(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/** Transactions PostgreSQL gave up and this process retried (SERIALIZABLE mode), for measurements. */
export const retryStats = { serializationRetries: 0 };

/**
 * Runs `fn` in one transaction. SQLite begins IMMEDIATE (one writer at a time across processes);
 * PostgreSQL runs READ COMMITTED, or SERIALIZABLE with retries when `serializable` is set (the
 * caller then takes no row locks). Rolls back when `fn` throws.
 */
export async function transaction<T>(b: Backend, fn: (trx: Transaction<DB>) => Promise<T>, serializable = false): Promise<T> {
  if (b.dialect === 'sqlite' || !serializable) return b.db.transaction().execute(fn);
  for (let attempt = 0; ; attempt++) {
    try {
      return await b.db.transaction().setIsolationLevel('serializable').execute(fn);
    } catch (e) {
      if (!isSerializationFailure(e) || attempt >= 200) throw e;
      retryStats.serializationRetries++;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 + attempt * 2)));
    }
  }
}

/**
 * Where the store lives: a state directory (SQLite file `cyrange.db`; `CYRANGE_STATE_DIR` when left
 * out), an SQLite file path or `:memory:`, or a PostgreSQL URL. Without `path` or `url`,
 * `CYRANGE_DATABASE_URL` (when set) selects PostgreSQL.
 */
export type StoreLocation =
  | { readonly stateDir?: string }
  | { readonly path: string }
  | { readonly url: string; readonly locking?: PgLocking };

/** Name of the database file inside a state directory. */
export const DB_FILE = 'cyrange.db';

/** The state directory from `CYRANGE_STATE_DIR`, `/var/lib/cyrange` when unset or empty. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CYRANGE_STATE_DIR || '/var/lib/cyrange';
}

/** The SQLite file a location names: `<stateDir>/cyrange.db`, the given path, or `:memory:`. */
export function databasePath(loc: { readonly stateDir?: string } | { readonly path: string }): string {
  return 'path' in loc ? loc.path : join(loc.stateDir ?? defaultStateDir(), DB_FILE);
}

/** The PostgreSQL URL a location selects, or null for SQLite. */
export function databaseUrl(loc: StoreLocation, env: NodeJS.ProcessEnv = process.env): string | null {
  if ('url' in loc) return loc.url;
  if ('path' in loc) return null;
  return env.CYRANGE_DATABASE_URL || null;
}

/** The slice of better-sqlite3 the store sets up. */
interface SqliteHandle {
  pragma(p: string): unknown;
  close(): void;
}

// Each driver loads only when its backend is opened: a CLI command that needs no store (or only
// SQLite) does not pay for loading the other at start-up.
const load = createRequire(import.meta.url);

/** Opens SQLite in WAL mode with a busy timeout and foreign keys on, so the CLI and a server can share it. */
export function openSqlite(loc: { readonly stateDir?: string } | { readonly path: string }): Backend {
  if (!('path' in loc)) mkdirSync(loc.stateDir ?? defaultStateDir(), { recursive: true, mode: 0o700 });
  const path = databasePath(loc);
  const Database = load('better-sqlite3') as typeof BetterSqlite3;
  const conn = new Database(path);
  const h = conn as unknown as SqliteHandle;
  h.pragma('busy_timeout = 5000');
  if (path !== ':memory:') withBusyRetry(() => h.pragma('journal_mode = WAL'));
  h.pragma('foreign_keys = ON');
  h.pragma('synchronous = NORMAL');
  return { db: new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: conn }) }), dialect: 'sqlite' };
}

/** Opens a pool of connections to PostgreSQL; the URL may carry `options=-c search_path=…`. */
export function openPostgres(url: string): Backend {
  let pool: pg.Pool;
  try {
    // allowExitOnIdle: a CLI process is not kept alive by idle connections.
    const { Pool } = load('pg') as typeof pg;
    pool = new Pool({ connectionString: url, max: 4, idleTimeoutMillis: 5000, allowExitOnIdle: true });
  } catch (e) {
    throw new CyrangeError('CYR_INVALID', `CYRANGE_DATABASE_URL: ${(e as Error).message}`, { cause: e });
  }
  // An idle connection the server drops is replaced; the error must not kill the process.
  pool.on('error', () => {});
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
}

/**
 * Runs `fn`, retrying on SQLITE_BUSY for up to 10 s. Switching a new database to WAL while another
 * process opens it fails at once instead of waiting on the busy timeout.
 */
function withBusyRetry<T>(fn: () => T): T {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40);
    }
  }
}

/** Current time as ISO text, the store's timestamp format. */
export function nowIso(): string {
  return new Date().toISOString();
}
