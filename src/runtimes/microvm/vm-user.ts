import { type SystemUser, VM_USER, systemUser } from '../../sys/index.js';

/** The unprivileged system user QEMU runs as (`cyrange-qemu`, made by scripts/setup.sh). */
export function vmUser(): SystemUser {
  return systemUser(VM_USER);
}

/**
 * Argv that runs `argv` as `user`: its uid, gid and supplementary groups (`kvm`, where it is a
 * member), no capabilities, not even in the bounding set, and no_new_privs. It goes after `nsenter`,
 * which must stay root to enter the namespace; `nsenter --setuid` would drop the supplementary groups.
 */
export function asUser(user: SystemUser, argv: readonly string[]): string[] {
  return [
    'setpriv',
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--init-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
    ...argv,
  ];
}
