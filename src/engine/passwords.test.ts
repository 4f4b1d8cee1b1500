import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'unixcrypt';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ValidationError, loadRawRange, resolveRange } from '../model/index.js';
import { hashBlueprintPasswords, sha512Crypt } from './passwords.js';

const state = mkdtempSync(join(tmpdir(), 'cyrange-pw-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

const YAML = `name: t
networks: [{ name: lan, subnet: 10.9.0.0/24 }]
plugins:
  p:
    users: [{name: dave, password: "x y"}]
vms:
  - name: a
    interfaces: [{ network: lan }]
    users:
      - name: alice   # the student
        password: hunter2 # plain
        sudo: true
      - { name: bob, 'password': 's3 cret' }
      - name: carol
        password: |
          multi line
        shell: /bin/bash
  - name: b
    plugin: p
    interfaces: [{ network: lan }]
`;

const HASH = /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/;

describe('hashBlueprintPasswords', () => {
  it('replaces each plain password by a passwd hash, keeping comments and line numbers', () => {
    const out = hashBlueprintPasswords(YAML, { stateDir: state });
    expect(out).not.toMatch(/hunter2|s3 cret|multi line|x y/);
    expect(out).toContain('# the student');
    expect(out).toContain('# plain');
    const before = YAML.split('\n');
    const after = out.split('\n');
    for (let i = 0; i < 15; i++) if (!before[i]?.includes('password')) expect(after[i]).toBe(before[i]);
    expect(after[15]).toBe('        shell: /bin/bash');
    const doc = parse(out) as {
      vms: Array<{ users?: Array<Record<string, string>> }>;
      plugins: { p: { users: Array<Record<string, string>> } };
    };
    const users = doc.vms[0]?.users ?? [];
    expect(users.map((u) => Object.keys(u).includes('password'))).toEqual([false, false, false]);
    expect(verify('hunter2', users[0]?.passwd ?? '')).toBe(true);
    expect(verify('s3 cret', users[1]?.passwd ?? '')).toBe(true);
    expect(verify('multi line\n', users[2]?.passwd ?? '')).toBe(true);
    expect(users[2]?.shell).toBe('/bin/bash');
    expect(verify('x y', doc.plugins.p.users[0]?.passwd ?? '')).toBe(true);
    for (const u of users) expect(u.passwd).toMatch(HASH);
  });

  it('the result resolves, with hashes only', () => {
    const range = resolveRange(loadRawRange(hashBlueprintPasswords(YAML, { stateDir: state })));
    const [a, b] = range.hosts;
    expect(a?.users?.map((u) => [u.name, u.sudo, u.shell])).toEqual([
      ['alice', true, '/bin/sh'],
      ['bob', false, '/bin/sh'],
      ['carol', false, '/bin/bash'],
    ]);
    expect(b?.users?.map((u) => u.name)).toEqual(['dave']);
    expect(JSON.stringify(range)).not.toMatch(/hunter2|s3 cret/);
  });

  it('is stable on this machine (a second deploy matches the stored range) and differs per instance', () => {
    const one = hashBlueprintPasswords(YAML, { stateDir: state });
    expect(hashBlueprintPasswords(YAML, { stateDir: state })).toBe(one);
    expect(hashBlueprintPasswords(YAML, { stateDir: state, instance: 'other' })).not.toBe(one);
    expect(statSync(join(state, 'secrets', 'password-salt.key')).mode & 0o777).toBe(0o600);
  });

  it('without a key the salts are random', () => {
    const a = hashBlueprintPasswords(YAML);
    expect(a).not.toBe(hashBlueprintPasswords(YAML));
    expect(a).not.toContain('hunter2');
  });

  it('keeps JSON as JSON', () => {
    const src = JSON.stringify({ name: 'j', vms: [{ name: 'a', users: [{ name: 'e', password: 'pw' }] }] }, null, 2);
    const out = hashBlueprintPasswords(src, { stateDir: state });
    const v = JSON.parse(out) as { vms: Array<{ users: Array<{ passwd: string; password?: string }> }> };
    expect(v.vms[0]?.users[0]?.password).toBeUndefined();
    expect(verify('pw', v.vms[0]?.users[0]?.passwd ?? '')).toBe(true);
    expect(out.split('\n')).toHaveLength(src.split('\n').length);
  });

  it.each([
    ['no password', 'name: t\nvms: []\n'],
    ['text that does not parse', 'name: [password\n'],
    ['a password that is not a string (the schema refuses it)', 'name: t\nvms: [{name: a, users: [{name: b, password: 1234}]}]\n'],
  ])('leaves %s unchanged', (_label, src) => {
    expect(hashBlueprintPasswords(src, { stateDir: state })).toBe(src);
  });

  it('refuses a password through an anchor or alias, without echoing it', () => {
    const src = 'name: t\nvms:\n  - name: a\n    users:\n      - { name: b, password: &pw secret1 }\n      - { name: c, password: *pw }\n';
    expect(() => hashBlueprintPasswords(src)).toThrow(ValidationError);
    try {
      hashBlueprintPasswords(src);
    } catch (e) {
      expect((e as ValidationError).problems.map((p) => p.path)).toEqual(['vms[0].users[0].password', 'vms[0].users[1].password']);
      expect((e as Error).message).not.toContain('secret1');
    }
  });

  it('sha512Crypt matches the crypt(3) reference vector', () => {
    // From Ulrich Drepper's SHA-crypt specification.
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
  });
});
