// The store suite runs on SQLite, or on PostgreSQL with CYRANGE_TEST_DB=postgres (a throwaway
// cluster from global-setup): each store gets its own schema, so tests never see each other's rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { type Store, type StoreLocation, openStore } from '../src/store/index.js';

/** Whether this run's store suite is on PostgreSQL. */
export const ON_PG = process.env.CYRANGE_TEST_DB === 'postgres';

const schemas: string[] = [];
const dirs: string[] = [];

function baseUrl(): string {
  const url = process.env.CYRANGE_TEST_PG_URL;
  if (!url) throw new Error('CYRANGE_TEST_DB=postgres but no CYRANGE_TEST_PG_URL (test/global-setup.ts starts a cluster)');
  return url;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: baseUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new, empty place for a store: a fresh schema on PostgreSQL, a fresh state directory on SQLite. */
export async function freshLocation(): Promise<StoreLocation & ({ url: string } | { stateDir: string })> {
  if (!ON_PG) {
    const d = mkdtempSync(join(tmpdir(), 'cyrange-store-'));
    dirs.push(d);
    return { stateDir: d };
  }
  const schema = `t_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 8)}`;
  await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
  schemas.push(schema);
  const url = new URL(baseUrl());
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString() };
}

/** A fresh, migrated store on this run's backend (SQLite in memory, or a new PostgreSQL schema). */
export async function testStore(): Promise<Store> {
  return openStore(ON_PG ? await freshLocation() : { path: ':memory:' });
}

/** Drops every schema and directory made by this file. */
export async function dropTestStores(): Promise<void> {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  const gone = schemas.splice(0);
  if (gone.length) await admin(async (c) => c.query(gone.map((s) => `DROP SCHEMA IF EXISTS ${s} CASCADE`).join('; ')));
}

/** Runs raw SQL (the same text on both backends) and returns its rows. */
export async function raw<R = Record<string, unknown>>(store: Pick<Store, 'db'>, text: string): Promise<R[]> {
  return (await sql.raw(text).execute(store.db)).rows as R[];
}

/** Rows in a table. */
export async function count(store: Pick<Store, 'db'>, table: string): Promise<number> {
  return Number((await raw<{ n: number | string }>(store, `SELECT count(*) AS n FROM ${table}`))[0]?.n ?? 0);
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(p: Promise<unknown> | (() => Promise<unknown>)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
