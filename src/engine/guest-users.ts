/**
 * Creates a host's blueprint users inside it, through its runtime's exec, once it runs: netns sandboxes
 * (their own Debian root filesystem) and docker containers. Guests (microVMs) take them from cloud-init
 * `user-data` instead; `sandbox: none` hosts share the machine's filesystem and never get users made.
 */
import { PassThrough, Readable } from 'node:stream';
import { CyrangeError, type ResolvedHost, type ResolvedUser } from '../model/index.js';
import type { RangeContext, Runtime } from '../runtimes/index.js';

/**
 * Makes or updates one user, idempotently. Arguments: name, crypt hash ('' for none), shell, sudo (1/0),
 * authorized_keys lines ('' for none). Debian's useradd/usermod where the image has them, else busybox's
 * adduser and `chpasswd -e`, else (an image without user tools) /etc/passwd, group and shadow edited with
 * awk. Values only ever arrive as arguments, never inside the script text.
 */
export const USER_SCRIPT = `set -eu
name=$1 hash=$2 shell=$3 sudo=$4 keys=$5
[ -x "$shell" ] || { echo "shell $shell is not in this host's image" >&2; exit 3; }
# Images without user tools (a bare busybox): the account files, edited the way useradd would.
by_hand() {
  [ -f /etc/passwd ] || printf 'root:x:0:0:root:/root:/bin/sh\\n' > /etc/passwd
  [ -f /etc/group ] || printf 'root:x:0:\\n' > /etc/group
  [ -f /etc/shadow ] || printf 'root:*:::::::\\n' > /etc/shadow
  chmod 600 /etc/shadow
  if ! awk -F: -v u="$name" '$1 == u { f = 1 } END { exit !f }' /etc/passwd; then
    id=$(awk -F: 'BEGIN { m = 999 } $3 > m && $3 < 60000 { m = $3 } END { print m + 1 }' /etc/passwd /etc/group)
    printf '%s:x:%s:%s::/home/%s:%s\\n' "$name" "$id" "$id" "$name" "$shell" >> /etc/passwd
    printf '%s:x:%s:\\n' "$name" "$id" >> /etc/group
    printf '%s:!:%s:0:99999:7:::\\n' "$name" "$(($(date +%s) / 86400))" >> /etc/shadow
    mkdir -p "/home/$name"
    chown "$id:$id" "/home/$name"
  fi
  field /etc/passwd 7 "$shell"
  [ -z "$hash" ] || field /etc/shadow 2 "$hash"
}
# Sets field $2 of user $name's line in file $1 to $3.
field() {
  awk -F: -v OFS=: -v u="$name" -v n="$2" -v v="$3" '$1 == u { $n = v } { print }' "$1" > "$1.cyrange"
  cat "$1.cyrange" > "$1"
  rm -f "$1.cyrange"
}
if command -v useradd >/dev/null 2>&1 && command -v usermod >/dev/null 2>&1; then
  if id "$name" >/dev/null 2>&1; then usermod -s "$shell" "$name"; else useradd -m -U -s "$shell" "$name"; fi
  [ -z "$hash" ] || usermod -p "$hash" "$name"
elif command -v adduser >/dev/null 2>&1 && command -v chpasswd >/dev/null 2>&1; then
  id "$name" >/dev/null 2>&1 || adduser -D -s "$shell" "$name"
  [ -z "$hash" ] || printf '%s:%s\\n' "$name" "$hash" | chpasswd -e
else
  by_hand
fi
home=$(awk -F: -v u="$name" '$1 == u { print $6 }' /etc/passwd)
group=$(awk -F: -v u="$name" '$1 == u { print $4 }' /etc/passwd)
if [ -n "$keys" ] && [ -n "$home" ]; then
  mkdir -p "$home/.ssh"
  printf '%s\\n' "$keys" > "$home/.ssh/authorized_keys"
  chown "$name:$group" "$home/.ssh" "$home/.ssh/authorized_keys"
  chmod 700 "$home/.ssh"
  chmod 600 "$home/.ssh/authorized_keys"
fi
drop=/etc/sudoers.d/90-cyrange-$name
if [ "$sudo" = 1 ]; then
  mkdir -p /etc/sudoers.d
  printf '%s ALL=(ALL) NOPASSWD:ALL\\n' "$name" > "$drop"
  chmod 440 "$drop"
else
  rm -f "$drop"
fi
`;

/** The argv that makes or updates one user in a host. */
export function userArgv(u: ResolvedUser): string[] {
  return [
    '/bin/sh',
    '-c',
    USER_SCRIPT,
    'cyrange-user',
    u.name,
    u.passwd ?? '',
    u.shell,
    u.sudo ? '1' : '0',
    u.sshAuthorizedKeys.join('\n'),
  ];
}

/** Whether users are made inside this host at deploy (rather than by cloud-init, or not at all). */
export function makesUsersInside(host: ResolvedHost): boolean {
  if (host.runtime === 'docker') return true;
  return host.runtime === 'netns' && host.sandbox !== 'none';
}

/**
 * Creates (or brings up to date) every blueprint user of a running host, so `su - NAME` and `login`
 * work in it; a host without users, a guest or an unsandboxed host is left alone. Throws a
 * CyrangeError naming the host and user, with the host's own error output but never the hash.
 */
export async function ensureGuestUsers(rt: Pick<Runtime, 'exec'>, ctx: RangeContext, host: ResolvedHost): Promise<void> {
  if (!makesUsersInside(host)) return;
  for (const u of host.users ?? []) {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => {
      if (text.length < 4096) text += b.toString();
    });
    const code = await rt.exec(ctx, host, userArgv(u), { stdin: Readable.from([]), stdout: out, stderr: out });
    if (code !== 0)
      throw new CyrangeError(
        'CYR_RUNTIME',
        `host "${host.name}": create user "${u.name}" failed (exit ${code}): ${text.trim().slice(0, 500)}`,
        {
          hint: 'users need useradd (Debian) or busybox adduser in the image, and exec as root',
        },
      );
  }
}
