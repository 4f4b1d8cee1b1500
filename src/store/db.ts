import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type CompiledQuery, DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type { DB } from './schema.js';

/** The slice of better-sqlite3 the store uses. */
export interface SqliteConnection {
  prepare(sql: string): {
    all(...p: unknown[]): unknown[];
    get(...p: unknown[]): unknown;
    run(...p: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  };
  exec(sql: string): void;
  pragma(p: string): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
  close(): void;
}

/**
 * Kysely builds and type-checks the SQL; better-sqlite3 runs it synchronously, so a transaction
 * is one synchronous function that no other query can interleave with.
 */
export const qb = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

type Statement = ReturnType<SqliteConnection['prepare']>;
const STATEMENT_CACHE_MAX = 256;
const statements = new WeakMap<SqliteConnection, Map<string, Statement>>();

/** A prepared statement for `sql`, reused while the connection lives (bounded cache). */
function prepared(conn: SqliteConnection, sql: string): Statement {
  const cache = statements.get(conn) ?? new Map<string, Statement>();
  statements.set(conn, cache);
  let st = cache.get(sql);
  if (!st) {
    if (cache.size >= STATEMENT_CACHE_MAX) cache.clear();
    st = conn.prepare(sql);
    cache.set(sql, st);
  }
  return st;
}

/** Runs a compiled query and returns its rows. */
export function all<R>(conn: SqliteConnection, q: { compile(): CompiledQuery<R> }): R[] {
  const c = q.compile();
  return prepared(conn, c.sql).all(...c.parameters) as R[];
}

/** Runs a compiled query and returns its first row, or undefined. */
export function first<R>(conn: SqliteConnection, q: { compile(): CompiledQuery<R> }): R | undefined {
  const c = q.compile();
  return prepared(conn, c.sql).get(...c.parameters) as R | undefined;
}

/** Runs a compiled statement; returns the new row id and the number of changed rows. */
export function exec(conn: SqliteConnection, q: { compile(): CompiledQuery<unknown> }): { id: number; changes: number } {
  const c = q.compile();
  const r = prepared(conn, c.sql).run(...c.parameters);
  return { id: Number(r.lastInsertRowid), changes: r.changes };
}

/**
 * Runs `fn` in a `BEGIN IMMEDIATE` transaction (a savepoint when already inside one): the write
 * lock is taken before the first read, so read-then-write sequences of two connections or
 * processes never interleave. Rolls back when `fn` throws.
 */
export function immediate<T>(conn: SqliteConnection, fn: () => T): T {
  return conn.transaction(fn).immediate();
}

/** Whether `e` is SQLite refusing a row for a UNIQUE constraint (or unique index). */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Where to open the database: a state directory (file `cyrange.db`; `CYRANGE_STATE_DIR` when left out), a file path, or `:memory:`. */
export type StoreLocation = { readonly stateDir?: string } | { readonly path: string };

/** Name of the database file inside a state directory. */
export const DB_FILE = 'cyrange.db';

/** The state directory from `CYRANGE_STATE_DIR`, `/var/lib/cyrange` when unset or empty. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CYRANGE_STATE_DIR || '/var/lib/cyrange';
}

/** The database file a location names: `<stateDir>/cyrange.db`, the given path, or `:memory:`. */
export function databasePath(loc: StoreLocation): string {
  return 'path' in loc ? loc.path : join(loc.stateDir ?? defaultStateDir(), DB_FILE);
}

/** Opens SQLite in WAL mode with a busy timeout and foreign keys on, so the CLI and a server can share it. */
export function openConnection(loc: StoreLocation = {}): SqliteConnection {
  if (!('path' in loc)) mkdirSync(loc.stateDir ?? defaultStateDir(), { recursive: true, mode: 0o700 });
  const path = databasePath(loc);
  const conn = new Database(path) as unknown as SqliteConnection;
  conn.pragma('busy_timeout = 5000');
  if (path !== ':memory:') withBusyRetry(() => conn.pragma('journal_mode = WAL'));
  conn.pragma('foreign_keys = ON');
  conn.pragma('synchronous = NORMAL');
  return conn;
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
