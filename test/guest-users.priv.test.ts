/**
 * Blueprint users exist inside the hosts that run: a netns sandbox (Debian root filesystem: useradd,
 * su, login) and a docker container of a bare busybox image (account files written by hand).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashBlueprintPasswords } from '../src/engine/passwords.js';
import { IS_ROOT, ROOT, cli, runCmd, tempStateDir, uniqueName } from './helpers.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJxV0hY2tXoJ0b8Lq2FqJ3s9U6p0u1n6b0gXkq2y1H8e alice@lab';
const PASSWORD = 'correct horse 7';

const BLUEPRINT = `name: users
networks:
  - { name: lan, subnet: 10.65.0.0/24 }
vms:
  - name: ws1
    users:
      - { name: alice, password: "${PASSWORD}", ssh_authorized_keys: ["${KEY}"], sudo: true, shell: /bin/bash }
      - { name: bob }
    interfaces: [{ network: lan }]
  - name: box
    runtime: docker
    image: cyrange-test/busybox:1
    users:
      - { name: alice, password: "${PASSWORD}", ssh_authorized_keys: ["${KEY}"] }
    interfaces: [{ network: lan }]
`;

async function dockerUp(): Promise<boolean> {
  const docker = (...args: string[]) => runCmd(['docker', ...args]);
  if ((await docker('info')).code === 0 && (await docker('image', 'inspect', 'cyrange-test/busybox:1')).code === 0) return true;
  return (await runCmd(['bash', join(ROOT, 'scripts', 'docker-up.sh')])).code === 0;
}

describe.skipIf(!IS_ROOT)('blueprint users inside netns and docker hosts', () => {
  const state = tempStateDir();
  const inst = uniqueName('users');
  const exec = (host: string, argv: string[]) => cli(['exec', inst, host, '--', ...argv], { stateDir: state.dir });
  /** `login NAME` on a terminal (util-linux `script`), typing `password` at its prompt, then `id`. */
  const login = (password: string) =>
    exec('ws1', [
      'sh',
      '-c',
      `(sleep 1; printf '%s\\n' "$1"; sleep 1; printf 'id; exit\\n'; sleep 1) | timeout 8 script -qec 'login alice' /dev/null`,
      'sh',
      password,
    ]);

  beforeAll(async () => {
    expect(await dockerUp()).toBe(true);
    const file = join(state.dir, 'users.yaml');
    // The load step a blueprint goes through: plain passwords become crypt hashes before resolving.
    const hashed = hashBlueprintPasswords(BLUEPRINT, { instance: inst, stateDir: state.dir });
    expect(hashed).not.toContain(PASSWORD);
    writeFileSync(file, hashed);
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    state.cleanup();
  });

  it('netns: the users exist, and `su - alice` runs as alice in her home with her shell', async () => {
    expect((await exec('ws1', ['id', 'alice'])).stdout).toMatch(/^uid=\d+\(alice\) gid=\d+\(alice\)/);
    expect((await exec('ws1', ['id', 'bob'])).code).toBe(0);
    const r = await exec('ws1', ['su', '-', 'alice', '-c', 'whoami; pwd; echo $SHELL; id -u']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual(['alice', '/home/alice', '/bin/bash']);
    expect(r.stderr).toBe('');
  });

  it('netns: login takes the blueprint password and refuses another', async () => {
    const ok = await login(PASSWORD);
    expect(ok.stdout).toMatch(/uid=\d+\(alice\)/);
    const bad = await login('not the password');
    expect(bad.stdout).toContain('Login incorrect');
    expect(bad.stdout).not.toMatch(/uid=\d+\(alice\)/);
  }, 30_000);

  it('netns: only the hash is stored in the host; keys and sudo are in place with the right modes', async () => {
    const r = await exec('ws1', [
      'sh',
      '-c',
      'grep "^alice:" /etc/shadow | cut -d: -f2 | cut -c1-3; stat -c "%a %U" /home/alice/.ssh /home/alice/.ssh/authorized_keys; cat /home/alice/.ssh/authorized_keys; cat /etc/sudoers.d/90-cyrange-alice; stat -c %a /etc/sudoers.d/90-cyrange-alice; test -e /etc/sudoers.d/90-cyrange-bob || echo no-bob',
    ]);
    expect(r.stdout).toBe(`$6$\n700 alice\n600 alice\n${KEY}\nalice ALL=(ALL) NOPASSWD:ALL\n440\nno-bob\n`);
  });

  it('docker (busybox without user tools): the account files hold the user and her hash', async () => {
    expect((await exec('box', ['id', 'alice'])).stdout).toMatch(/^uid=1000\(alice\) gid=1000\(alice\)/);
    const r = await exec('box', [
      'sh',
      '-c',
      'grep "^alice:" /etc/shadow | cut -d: -f2 | cut -c1-3; stat -c "%a %U" /home/alice/.ssh/authorized_keys',
    ]);
    expect(r.stdout).toBe('$6$\n600 alice\n');
  });

  it('user-data carries the users with the hash, never the password', async () => {
    const r = await cli(['render', inst, 'ws1', '--format', 'user-data'], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/- name: alice\n(.*\n)*? {4}passwd: \$6\$/);
    expect(r.stdout).toContain('ssh_pwauth: true');
    expect(r.stdout).not.toContain(PASSWORD);
  });

  it('a restart makes the users again without duplicating them', async () => {
    for (const h of ['ws1', 'box']) expect((await cli(['host', 'restart', inst, h], { stateDir: state.dir })).code).toBe(0);
    expect((await exec('ws1', ['sh', '-c', 'grep -c "^alice:" /etc/passwd /etc/shadow'])).stdout).toBe('/etc/passwd:1\n/etc/shadow:1\n');
    expect((await exec('box', ['sh', '-c', 'grep -c "^alice:" /etc/passwd'])).stdout).toBe('1\n');
    expect((await exec('ws1', ['su', '-', 'alice', '-c', 'whoami'])).stdout).toBe('alice\n');
  }, 60_000);
});
