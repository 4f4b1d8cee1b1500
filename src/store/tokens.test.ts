import { afterAll, describe, expect, it } from 'vitest';
import { dropTestStores, freshLocation, raw, testStore } from '../../test/store-backend.js';
import { openPostgres, openSqlite } from './db.js';
import { migrate } from './migrations.js';
import { openStore } from './store.js';
import { bootstrapAdmin, checkPassword, createUserWithToken, hashPassword, hashToken, issueToken } from './tokens.js';

const memory = testStore;
afterAll(dropTestStores);

describe('passwords', () => {
  it.each([
    ['the right password', 'correct horse', true],
    ['a wrong password', 'wrong horse', false],
    ['an empty password', '', false],
  ])('%s checks %s', async (_what, given, ok) => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$[^$]+\$[^$]+$/);
    expect(await checkPassword(given, stored)).toBe(ok);
  });

  it.each([[null], [''], ['plain$text'], ['scrypt$$']])('a missing or malformed hash %j never matches', async (stored) => {
    expect(await checkPassword('anything', stored)).toBe(false);
  });

  it('hashes without blocking the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all(Array.from({ length: 8 }, () => hashPassword('x'.repeat(12))));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('tokens in the store', () => {
  it('finds a token by its hash until it expires or is revoked', async () => {
    const store = await memory();
    const { user, token, record } = await createUserWithToken(store.access, 'ana', 'student');
    expect(record).toMatchObject({ user: 'ana', scope: 'api', expiresAt: null, label: 'created' });
    expect((await store.access.tokenByHash(hashToken(token)))?.user).toEqual(user);
    const short = await issueToken(store.access, user.id, { label: 'short', scope: 'metrics', expiresInS: 60 });
    const in30 = new Date(Date.now() + 30_000).toISOString();
    const in90 = new Date(Date.now() + 90_000).toISOString();
    expect((await store.access.tokenByHash(hashToken(short.token), in30))?.token.scope).toBe('metrics');
    expect(await store.access.tokenByHash(hashToken(short.token), in90)).toBeNull();
    // A metrics token is no API token.
    expect(await store.access.userByTokenHash(hashToken(short.token))).toBeNull();
    expect((await store.access.listTokens(user.id)).map((t) => t.label)).toEqual(['created', 'short']);
    expect(await store.access.pruneExpiredTokens(in90)).toBe(1);
    expect(await store.access.revokeToken(record.id)).toBe(true);
    expect(await store.access.revokeToken(record.id)).toBe(false);
    expect(await store.access.tokenByHash(hashToken(token))).toBeNull();
    await store.close();
  });

  it.each([[0], [-1], [1.5]])('refuses expires_in %j', async (s) => {
    const store = await memory();
    const u = await store.access.createUser('bo', 'admin');
    await expect(issueToken(store.access, u.id, { label: 'x', expiresInS: s })).rejects.toThrow(/expires_in/);
    await store.close();
  });

  it('keeps tokens made before scopes and expiry working (migration 0006)', async () => {
    const loc = await freshLocation();
    const b = 'url' in loc ? openPostgres(loc.url) : openSqlite(loc);
    await migrate(b, '0005_network_reserved');
    await raw(b, "INSERT INTO users (name, role, created_at) VALUES ('old', 'admin', '')");
    await raw(
      { db: b.db } as never,
      `INSERT INTO tokens (user_id, token_hash, label, created_at) VALUES (1, '${hashToken('cyr_legacy')}', 'legacy', '')`,
    );
    await b.db.destroy();
    const store = await openStore(loc);
    expect(await store.access.tokenByHash(hashToken('cyr_legacy'))).toMatchObject({
      user: { name: 'old', role: 'admin' },
      token: { scope: 'api', expiresAt: null, label: 'legacy' },
    });
    expect(await bootstrapAdmin(store.access, 'cyr_other')).toBeNull();
    await store.close();
  });
});
