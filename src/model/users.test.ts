import { resolve as resolvePath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadRawRange } from './blueprint.js';
import { ValidationError, formatProblem } from './errors.js';
import { renderUserData } from './guest-config.js';
import { resolveRange } from './resolve.js';
import type { ResolvedRange } from './types.js';

const GOLDEN = resolvePath(import.meta.dirname, 'testdata/guest');
const HASH = '$6$0123456789abcdef$7ZJlQ0sDbH2kHw9m9ytX6Yk3jE6nI2uT1cXgB8bN6Qf9oVqg0o2x7gMvzJ8zVtJ0cWnJc8qkYV2m9sW4mXh0A.';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJxV0hY2tXoJ0b8Lq2FqJ3s9U6p0u1n6b0gXkq2y1H8e alice@lab';

const bp = (vms: object[], extra: object = {}) => ({
  name: 'u',
  networks: [{ name: 'lan', subnet: '10.7.0.0/24' }],
  vms: vms.map((v) => ({ interfaces: [{ network: 'lan' }], ...v })),
  ...extra,
});
const resolved = (b: object): ResolvedRange => resolveRange(loadRawRange(stringify(b)));

function problemsOf(b: object): string[] {
  try {
    resolved(b);
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map(formatProblem);
    throw e;
  }
}

describe('users: resolved host over plugin, passwords only as hashes', () => {
  it('a host takes its own users, with defaults filled in', () => {
    const r = resolved(
      bp([
        {
          name: 'a',
          users: [
            { name: 'alice', passwd: HASH, ssh_authorized_keys: [KEY], sudo: true },
            { name: 'bob', shell: '/bin/bash' },
          ],
        },
      ]),
    );
    expect(r.hosts[0]?.users).toEqual([
      { name: 'alice', passwd: HASH, sshAuthorizedKeys: [KEY], sudo: true, shell: '/bin/sh' },
      { name: 'bob', passwd: null, sshAuthorizedKeys: [], sudo: false, shell: '/bin/bash' },
    ]);
  });

  it.each([
    ['inherits the plugin users', [{ name: 'a', plugin: 'p' }], ['carol']],
    ['its own list replaces the plugin list', [{ name: 'a', plugin: 'p', users: [{ name: 'dave' }] }], ['dave']],
    ['an empty list of its own means none', [{ name: 'a', plugin: 'p', users: [] }], undefined],
    ['no users anywhere: no users field', [{ name: 'a' }], undefined],
  ])('a host %s', (_label, vms, want) => {
    const r = resolved(bp(vms, { plugins: { p: { users: [{ name: 'carol', passwd: HASH }] } } }));
    expect(r.hosts[0]?.users?.map((u) => u.name)).toEqual(want);
    if (want === undefined) expect(r.hosts[0]).not.toHaveProperty('users');
  });

  it.each<[string, object, string]>([
    [
      'a plain password that was not hashed at load',
      bp([{ name: 'a', users: [{ name: 'alice', password: 'hunter2' }] }]),
      'vms[0].users[0].password: a plain-text password is not accepted here; give passwd: a crypt(3) hash',
    ],
    [
      'both password and passwd',
      bp([{ name: 'a', users: [{ name: 'alice', password: 'hunter2', passwd: HASH }] }]),
      'vms[0].users[0]: give either password (plain text) or passwd (a crypt hash), not both',
    ],
    [
      'a passwd that is no hash',
      bp([{ name: 'a', users: [{ name: 'alice', passwd: 'hunter2' }] }]),
      'vms[0].users[0].passwd: is not a crypt(3) hash',
    ],
    ['a password that is a number', bp([{ name: 'a', users: [{ name: 'alice', password: 271828 }] }]), 'vms[0].users[0].password: must be'],
    [
      'a duplicate user',
      bp([{ name: 'a', users: [{ name: 'alice' }, { name: 'alice' }] }]),
      'vms[0].users[1].name: duplicate user "alice" (also vms[0].users[0])',
    ],
    ['a bad user name', bp([{ name: 'a', users: [{ name: 'Alice' }] }]), 'vms[0].users[0].name: "Alice" must be a login name'],
    [
      'a relative shell',
      bp([{ name: 'a', users: [{ name: 'alice', shell: 'bash' }] }]),
      'vms[0].users[0].shell: "bash" must be an absolute path',
    ],
    [
      'a key over two lines',
      bp([{ name: 'a', users: [{ name: 'alice', ssh_authorized_keys: [`${KEY}\nssh-rsa AAAA evil`] }] }]),
      'vms[0].users[0].ssh_authorized_keys[0]:',
    ],
    [
      'an unknown user field',
      bp([{ name: 'a', users: [{ name: 'alice', groups: ['wheel'] }] }]),
      'vms[0].users[0]: unknown field "groups"',
    ],
    [
      'a plain password in a plugin, reported once',
      bp(
        [
          { name: 'a', plugin: 'p' },
          { name: 'b', plugin: 'p' },
        ],
        { plugins: { p: { users: [{ name: 'c', password: 'pw12' }] } } },
      ),
      'plugins.p.users[0].password: a plain-text password is not accepted here',
    ],
  ])('refuses %s, naming the field and never the password', (_label, b, want) => {
    const got = problemsOf(b);
    expect(got).toHaveLength(1);
    expect(got[0]).toContain(want);
    for (const secret of ['hunter2', '271828', 'pw12']) expect(got[0]).not.toContain(secret);
  });
});

describe('renderUserData from the blueprint users', () => {
  const r = resolved(
    bp([
      {
        name: 'ws1',
        users: [{ name: 'alice', passwd: HASH, ssh_authorized_keys: [KEY], sudo: true, shell: '/bin/bash' }, { name: 'bob' }],
      },
    ]),
  );
  const ws1 = r.hosts[0];
  if (!ws1) throw new Error('no host');

  it('emits name, passwd, lock_passwd false, keys, sudo, shell, and ssh_pwauth (golden)', async () => {
    const text = renderUserData(ws1);
    await expect(text).toMatchFileSnapshot(`${GOLDEN}/ws1-users.user-data.yaml`);
    const doc = parse(text, { version: '1.1' }) as { ssh_pwauth: boolean; users: Array<Record<string, unknown>> };
    expect(doc.ssh_pwauth).toBe(true);
    expect(doc.users).toEqual([
      { name: 'alice', ssh_authorized_keys: [KEY], passwd: HASH, lock_passwd: false, sudo: 'ALL=(ALL) NOPASSWD:ALL', shell: '/bin/bash' },
      { name: 'bob', shell: '/bin/sh' },
    ]);
  });

  it('extra users come after the host users; without passwords there is no ssh_pwauth', () => {
    const keysOnly = resolved(bp([{ name: 'a', users: [{ name: 'bob', ssh_authorized_keys: [KEY] }] }])).hosts[0];
    if (!keysOnly) throw new Error('no host');
    const doc = parse(renderUserData(keysOnly, { users: [{ name: 'extra' }] })) as Record<string, unknown>;
    expect((doc.users as Array<{ name: string }>).map((u) => u.name)).toEqual(['bob', 'extra']);
    expect(doc).not.toHaveProperty('ssh_pwauth');
  });
});
