import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemUser } from '../../sys/index.js';
import { CyrangeError } from '../../model/index.js';
import { asUser } from './vm-user.js';

describe('the VM user', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-user-'));
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\ncyrange-qemu:x:995:994::/nonexistent:/usr/sbin/nologin\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['cyrange-qemu', { name: 'cyrange-qemu', uid: 995, gid: 994 }],
    ['root', { name: 'root', uid: 0, gid: 0 }],
  ])('reads %s from passwd', (name, want) => {
    expect(systemUser(name, passwd)).toEqual(want);
  });

  it('fails for a missing user with how to make it', () => {
    const err = (() => {
      try {
        systemUser('nobody-here', passwd);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CyrangeError);
    expect((err as CyrangeError).hint).toContain('scripts/setup.sh');
  });

  it('drops to the user with its groups, no capabilities and no_new_privs, then runs the argv', () => {
    expect(asUser({ name: 'q', uid: 995, gid: 994 }, ['qemu-system-x86_64', '-name', 'x'])).toEqual([
      'setpriv',
      '--reuid=995',
      '--regid=994',
      '--init-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
      'qemu-system-x86_64',
      '-name',
      'x',
    ]);
  });
});
