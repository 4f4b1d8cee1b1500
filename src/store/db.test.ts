import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath, defaultStateDir, openConnection } from './db.js';
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

describe('openConnection', () => {
  it.each([
    ['a state directory', () => ({ stateDir: join(tempDir(), 'nested', 'state') }), 'wal'],
    ['a file path', () => ({ path: join(tempDir(), 'x.db') }), 'wal'],
    ['memory', () => ({ path: ':memory:' }), 'memory'],
  ])('opens %s with WAL, busy_timeout 5000 and foreign keys', (_what, loc, journal) => {
    const conn = openConnection(loc());
    expect(conn.pragma('journal_mode')).toEqual([{ journal_mode: journal }]);
    expect(conn.pragma('busy_timeout')).toEqual([{ timeout: 5000 }]);
    expect(conn.pragma('foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    conn.close();
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

  it('defaults to CYRANGE_STATE_DIR, creating it', () => {
    const dir = join(tempDir(), 'state');
    const saved = process.env.CYRANGE_STATE_DIR;
    process.env.CYRANGE_STATE_DIR = dir;
    try {
      openStore().close();
    } finally {
      if (saved === undefined) delete process.env.CYRANGE_STATE_DIR;
      else process.env.CYRANGE_STATE_DIR = saved;
    }
    expect(existsSync(join(dir, 'cyrange.db'))).toBe(true);
  });
});
