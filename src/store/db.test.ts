import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ON_PG } from '../../test/store-backend.js';
import { databasePath, databaseUrl, defaultStateDir, openSqlite } from './db.js';
import { openStore } from './store.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cyrange-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('openSqlite', () => {
  it.each([
    ['a state directory', () => ({ stateDir: join(tempDir(), 'nested', 'state') }), 'wal'],
    ['a file path', () => ({ path: join(tempDir(), 'x.db') }), 'wal'],
    ['memory', () => ({ path: ':memory:' }), 'memory'],
  ])('opens %s with WAL, busy_timeout 5000 and foreign keys', async (_what, loc, journal) => {
    const b = openSqlite(loc());
    const get = async (p: string) => (await sql.raw(`PRAGMA ${p}`).execute(b.db)).rows;
    expect(await get('journal_mode')).toEqual([{ journal_mode: journal }]);
    expect(await get('busy_timeout')).toEqual([{ timeout: 5000 }]);
    expect(await get('foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    await b.db.destroy();
  });
});

describe('state directory', () => {
  it.each([
    [{ CYRANGE_STATE_DIR: '/srv/cyr' }, '/srv/cyr'],
    [{ CYRANGE_STATE_DIR: '' }, '/var/lib/cyrange'],
    [{}, '/var/lib/cyrange'],
  ])('from %o is %s', (env, want) => {
    expect(defaultStateDir(env)).toBe(want);
  });

  it.each([
    [{ stateDir: '/a/b' }, '/a/b/cyrange.db'],
    [{ path: '/x/y.db' }, '/x/y.db'],
    [{ path: ':memory:' }, ':memory:'],
  ])('%o names database %s', (loc, want) => {
    expect(databasePath(loc)).toBe(want);
  });

  it.skipIf(ON_PG)('defaults to CYRANGE_STATE_DIR, creating it', async () => {
    const dir = join(tempDir(), 'state');
    const saved = process.env.CYRANGE_STATE_DIR;
    process.env.CYRANGE_STATE_DIR = dir;
    try {
      await (await openStore()).close();
    } finally {
      if (saved === undefined) delete process.env.CYRANGE_STATE_DIR;
      else process.env.CYRANGE_STATE_DIR = saved;
    }
    expect(existsSync(join(dir, 'cyrange.db'))).toBe(true);
  });

  it.each([
    [{ stateDir: '/a' }, { CYRANGE_DATABASE_URL: 'postgres://h/db' }, 'postgres://h/db'],
    [{ stateDir: '/a' }, {}, null],
    [{ path: '/x.db' }, { CYRANGE_DATABASE_URL: 'postgres://h/db' }, null],
    [{ url: 'postgres://o/db' }, { CYRANGE_DATABASE_URL: 'postgres://h/db' }, 'postgres://o/db'],
  ])('%o with %o selects %s', (loc, env, want) => {
    expect(databaseUrl(loc, env)).toBe(want);
  });
});
