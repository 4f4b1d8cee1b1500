import { describe, expect, it } from 'vitest';
import { openConnection } from './db.js';
import { migrate } from './migrations.js';
import { Store } from './store.js';
import { bootstrapAdmin, checkPassword, createUserWithToken, hashPassword, hashToken, issueToken } from './tokens.js';

const memory = () => new Store(openConnection({ path: ':memory:' }));

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
    const store = memory();
    const { user, token, record } = await createUserWithToken(store.access, 'ana', 'student');
    expect(record).toMatchObject({ user: 'ana', scope: 'api', expiresAt: null, label: 'created' });
    expect(store.access.tokenByHash(hashToken(token))?.user).toEqual(user);
    const short = issueToken(store.access, user.id, { label: 'short', scope: 'metrics', expiresInS: 60 });
    const in30 = new Date(Date.now() + 30_000).toISOString();
    const in90 = new Date(Date.now() + 90_000).toISOString();
    expect(store.access.tokenByHash(hashToken(short.token), in30)?.token.scope).toBe('metrics');
    expect(store.access.tokenByHash(hashToken(short.token), in90)).toBeNull();
    // A metrics token is no API token.
    expect(store.access.userByTokenHash(hashToken(short.token))).toBeNull();
    expect(store.access.listTokens(user.id).map((t) => t.label)).toEqual(['created', 'short']);
    expect(store.access.pruneExpiredTokens(in90)).toBe(1);
    expect(store.access.revokeToken(record.id)).toBe(true);
    expect(store.access.revokeToken(record.id)).toBe(false);
    expect(store.access.tokenByHash(hashToken(token))).toBeNull();
    store.close();
  });

  it.each([[0], [-1], [1.5]])('refuses expires_in %j', (s) => {
    const store = memory();
    const u = store.access.createUser('bo', 'admin');
    expect(() => issueToken(store.access, u.id, { label: 'x', expiresInS: s })).toThrow(/expires_in/);
    store.close();
  });

  it('keeps tokens made before scopes and expiry working (migration 0006)', () => {
    const conn = openConnection({ path: ':memory:' });
    migrate(conn, '0005_network_reserved');
    conn.prepare("INSERT INTO users (name, role, created_at) VALUES ('old', 'admin', '')").run();
    conn.prepare("INSERT INTO tokens (user_id, token_hash, label, created_at) VALUES (1, ?, 'legacy', '')").run(hashToken('cyr_legacy'));
    const store = new Store(conn);
    expect(store.access.tokenByHash(hashToken('cyr_legacy'))).toMatchObject({
      user: { name: 'old', role: 'admin' },
      token: { scope: 'api', expiresAt: null, label: 'legacy' },
    });
    expect(bootstrapAdmin(store.access, 'cyr_other')).toBeNull();
    store.close();
  });
});
