import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CYRANGE, type CliResult, IS_ROOT, ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

/**
 * Escape attempts made from inside hosts of every runtime: what a student with root in a host
 * tries first. Every probe's expected answer is written down per runtime in one table:
 *   a  netns host (a runc sandbox over the debian-base image), b a second one (file isolation),
 *   d  docker host (cyrange-test/busybox:1, network none, wired by Cyrange),
 *   vm microVM (QEMU guest with the busybox initramfs; root of its own kernel, so "root can do
 *      root things" there is expected: the boundary is the hypervisor, not the guest kernel).
 */

const ASSETS = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';
const env = { CYRANGE_MICROVM_ASSETS: ASSETS };
const ADMIN = 'test-admin-token-escape-0123456789';
const SUBNET = '10.93.0';
const GW = `${SUBNET}.1`;
/** An address each host adds to its own eth0 (each host has its own namespace, so one address serves all). */
const EXTRA_IP = `${SUBNET}.99`;

const BLUEPRINT = `name: escape
networks:
  - { name: lan, subnet: ${SUBNET}.0/24 }
vms:
  - { name: a, runtime: netns, interfaces: [{ network: lan, ip: ${SUBNET}.10 }] }
  - { name: b, runtime: netns, interfaces: [{ network: lan, ip: ${SUBNET}.11 }] }
  - name: d
    runtime: docker
    image: cyrange-test/busybox:1
    command: [sleep, infinity]
    interfaces: [{ network: lan, ip: ${SUBNET}.12 }]
  - name: vm
    runtime: microvm
    resources: { memory: 192m }
    command: [sleep, infinity]
    interfaces: [{ network: lan, ip: ${SUBNET}.13 }]
`;

/** First line of the machine's own /etc/shadow (read by the test process, outside every host). */
const MACHINE_SHADOW = IS_ROOT ? (readFileSync('/etc/shadow', 'utf8').split('\n')[0] ?? '') : '';

/** The machine's root disk as major:minor (from its mountinfo); a virtio disk 254:0 when / is not on a block device. */
function machineRootDev(): string {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const f = line.split(' ');
      if (f[4] === '/' && /^\d+:\d+$/.test(f[2] ?? '') && !(f[2] ?? '').startsWith('0:')) return f[2] as string;
    }
  } catch {}
  return '254:0';
}
const [ROOT_MAJ, ROOT_MIN] = machineRootDev().split(':');

/** Whether the machine's kernel has loadable modules at all (then /proc/modules exists in a sandbox too). */
const MACHINE_MODULES = existsSync('/proc/modules');

/** Names of machine processes that must never show up inside a host. */
const MACHINE_PROCS = /\b(node|vitest|dockerd|containerd|qemu-system-\w+|runc|systemd|sshd)\b/;

const CAP = { DAC_READ_SEARCH: 2, SYS_MODULE: 16, SYS_RAWIO: 17, SYS_PTRACE: 19, SYS_ADMIN: 21, SYS_BOOT: 22 } as const;

/** What a probe is expected to answer; `check` absent means the row does not apply (n/a). */
interface Want {
  readonly label: string;
  readonly check?: (r: CliResult, out: string) => boolean;
}

/** Runs and exits 0; the output (stdout + stderr) matches `re` when given. */
const ok = (re?: RegExp, why?: string): Want => ({
  label: `ok${re ? ` ~ ${re}` : ''}${why ? ` (${why})` : ''}`,
  check: (r, out) => r.code === 0 && (!re || re.test(out)),
});
/** Exits non-zero with an error matching `re` (the probe ran and was refused, not a broken exec). */
const fails = (re: RegExp, why?: string): Want => ({
  label: `fails ~ ${re}${why ? ` (${why})` : ''}`,
  check: (r, out) => r.code !== 0 && re.test(out),
});
/** Exits 0 and the output does not match `re`. */
const okWithout = (re: RegExp): Want => ({ label: `ok, no ${re}`, check: (r, out) => r.code === 0 && !re.test(out) });
/** Absent (non-zero exit) or a first line other than `line`. */
const absentOrNot = (line: string, what: string): Want => ({
  label: `absent or not ${what}`,
  check: (r, out) => {
    const first = out.split('\n')[0]?.trim() ?? '';
    return line !== '' && (r.code !== 0 || first !== line.trim());
  },
});
/** Absent (non-zero exit) or an output without `re`. */
const absentOrWithout = (re: RegExp, what: string): Want => ({
  label: `absent or not ${what}`,
  check: (r, out) => r.code !== 0 || !re.test(out),
});
/** A count printed by the probe, between 1 and `max`. */
const atMost = (max: number): Want => ({
  label: `1..${max}`,
  check: (r, out) => {
    const n = Number(out.trim());
    return r.code === 0 && n >= 1 && n <= max;
  },
});
/** The effective capability set (CapEff) holds none of `caps`. */
const capsLack = (...caps: Array<keyof typeof CAP>): Want => ({
  label: `CapEff without ${caps.join(', ')}`,
  check: (r, out) => {
    const hex = /CapEff:\s*([0-9a-f]+)/.exec(out)?.[1];
    if (r.code !== 0 || !hex) return false;
    const eff = BigInt(`0x${hex}`);
    return caps.every((c) => (eff & (1n << BigInt(CAP[c]))) === 0n);
  },
});
const na = (why: string): Want => ({ label: `n/a (${why})` });

/** One probe: a shell command (sh -c) and its expected answer on each runtime. */
interface Probe {
  readonly probe: string;
  readonly cmd: string;
  readonly netns: Want;
  readonly docker: Want;
  readonly microvm: Want;
}

const HOST_OF = { netns: 'a', docker: 'd', microvm: 'vm' } as const;
type Kind = keyof typeof HOST_OF;

const NOENT = /No such file|nonexistent/i;
const EPERM = /Operation not permitted/i;

/**
 * A key the test process puts in the machine root's user keyring (@u) and removes afterwards:
 * kernel keyrings belong to a uid, not to a mount or PID namespace, so a sandbox whose root is
 * the machine's uid 0 reaches them unless seccomp refuses keyctl (Docker's default profile does).
 */
const KEY_DESC = `cyrange-escape-${randomBytes(4).toString('hex')}`;
const KEY_SECRET = `machine-secret-${randomBytes(8).toString('hex')}`;
/** Perl (in every Debian root): link @u into the session keyring, find the key, read it. No single quotes: it goes in '…'. */
const READ_MACHINE_KEY =
  `perl -e 'my ($t, $d) = ("user", "${KEY_DESC}"); syscall(250, 8, -4, -3); my $id = syscall(250, 10, -4, $t, $d, 0); ` +
  `my $b = "\\0" x 128; my $n = $id < 0 ? -1 : syscall(250, 11, $id, $b, 128); ` +
  `print "keyctl: ", ($n < 0 ? "refused ($!)" : substr($b, 0, $n)), "\\n";'`;
/** The probe ran (perl answered) and the machine's key did not come back. */
const keyHidden: Want = {
  label: "keyctl refused or the machine's key not found",
  check: (r, out) => r.code === 0 && /^keyctl: /m.test(out) && !out.includes(KEY_SECRET),
};

/** The escape table. A "fails" must show the refusal itself, so a broken exec never passes for a refusal. */
const PROBES: readonly Probe[] = [
  // Files of the machine.
  {
    probe: "the machine's /etc/shadow",
    cmd: 'head -1 /etc/shadow',
    netns: absentOrNot(MACHINE_SHADOW, "the machine's"),
    docker: absentOrNot(MACHINE_SHADOW, "the machine's"),
    microvm: absentOrNot(MACHINE_SHADOW, "the machine's"),
  },
  { probe: '/var/lib/cyrange', cmd: 'ls -d /var/lib/cyrange', netns: fails(NOENT), docker: fails(NOENT), microvm: fails(NOENT) },
  { probe: '/run/netns', cmd: 'ls -d /run/netns', netns: fails(NOENT), docker: fails(NOENT), microvm: fails(NOENT) },
  {
    probe: 'the Docker socket',
    cmd: 'ls -l /var/run/docker.sock',
    netns: fails(NOENT),
    docker: fails(NOENT),
    microvm: fails(NOENT),
  },
  // Processes of the machine.
  {
    probe: 'PID 1',
    cmd: 'cat /proc/1/comm',
    netns: ok(/^tini$/),
    docker: ok(/^docker-init$/),
    microvm: ok(/^init$/, "the guest's own init"),
  },
  {
    probe: 'processes in /proc',
    cmd: "ls /proc | grep -c '^[0-9][0-9]*$'",
    netns: atMost(8),
    docker: atMost(8),
    microvm: atMost(80), // its own kernel threads and init
  },
  { probe: 'ps -e', cmd: 'ps -e', netns: okWithout(MACHINE_PROCS), docker: okWithout(MACHINE_PROCS), microvm: okWithout(MACHINE_PROCS) },
  {
    probe: 'every command line in /proc',
    cmd: "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done",
    netns: okWithout(MACHINE_PROCS),
    docker: okWithout(MACHINE_PROCS),
    microvm: okWithout(MACHINE_PROCS),
  },
  {
    probe: "the test process's pid",
    cmd: `cat /proc/${process.pid}/cmdline`,
    netns: absentOrWithout(/node|vitest/, 'the test process'),
    docker: absentOrWithout(/node|vitest/, 'the test process'),
    microvm: absentOrWithout(/node|vitest/, 'the test process'),
  },
  // Namespaces and mounts.
  {
    probe: "nsenter -t 1 -m (PID 1's mount namespace)",
    cmd: 'nsenter -t 1 -m -- true',
    netns: fails(EPERM),
    docker: fails(EPERM),
    microvm: ok(undefined, 'PID 1 is the guest init'),
  },
  {
    probe: 'nsenter --mount=/proc/1/ns/mnt',
    cmd: 'nsenter --mount=/proc/1/ns/mnt true',
    netns: fails(EPERM),
    docker: fails(EPERM),
    microvm: ok(undefined, 'PID 1 is the guest init'),
  },
  {
    probe: 'nsenter into PID 1 lands in the host itself',
    cmd: 'nsenter -t 1 -m -u -- hostname',
    netns: fails(EPERM),
    docker: fails(EPERM),
    microvm: ok(/^vm$/),
  },
  {
    probe: 'mount -t tmpfs',
    cmd: 'mount -t tmpfs x /mnt && umount /mnt',
    netns: fails(/permission denied/i),
    docker: fails(/permission denied/i),
    microvm: ok(undefined, "the guest's own kernel"),
  },
  {
    probe: 'a user namespace, then mount in it (unshare -U -r -m)',
    cmd: 'unshare -U -r -m sh -c "mount -t tmpfs x /mnt && echo mounted"',
    netns: fails(EPERM, "Docker's default profile refuses unshare(CLONE_NEWUSER) without CAP_SYS_ADMIN"),
    docker: fails(EPERM),
    microvm: ok(/mounted/, "the guest's own kernel"),
  },
  // Kernel modules.
  {
    probe: '/proc/modules',
    cmd: 'cat /proc/modules',
    netns: MACHINE_MODULES ? ok() : fails(NOENT, 'the machine kernel has no modules'),
    docker: MACHINE_MODULES ? ok() : fails(NOENT, 'the machine kernel has no modules'),
    microvm: ok(/virtio_net/),
  },
  {
    probe: 'init_module (insmod of a junk file)',
    cmd: 'mkdir -p /tmp && head -c 64 /dev/zero > /tmp/m.ko && busybox insmod /tmp/m.ko',
    netns: fails(EPERM),
    docker: fails(EPERM),
    microvm: fails(/invalid module format/i, 'refused by the guest kernel itself'),
  },
  {
    probe: 'insmod from stdin',
    cmd: 'echo | busybox insmod /dev/stdin',
    netns: fails(/insmod/),
    docker: fails(/insmod/),
    microvm: fails(/insmod/),
  },
  { probe: 'modprobe', cmd: 'busybox modprobe dummy', netns: fails(/modprobe/), docker: fails(/modprobe/), microvm: fails(/modprobe/) },
  // Block devices.
  {
    probe: 'block devices in /dev',
    cmd: 'ls /dev',
    netns: okWithout(/^(sd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|loop\d|dm-\d|mmcblk\d)/m),
    docker: okWithout(/^(sd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|loop\d|dm-\d|mmcblk\d)/m),
    microvm: okWithout(/^(sd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|loop\d|dm-\d|mmcblk\d)/m),
  },
  {
    probe: `the machine's root disk through mknod (block ${ROOT_MAJ}:${ROOT_MIN})`,
    cmd: `mkdir -p /tmp && mknod /tmp/b b ${ROOT_MAJ} ${ROOT_MIN} && dd if=/tmp/b bs=1 count=1 of=/dev/null`,
    netns: fails(EPERM, 'device cgroup'),
    docker: fails(EPERM, 'device cgroup'),
    microvm: fails(/No such device/i, 'the guest has no disk'),
  },
  {
    probe: 'a SCSI disk through mknod (block 8:0)',
    cmd: 'mkdir -p /tmp && mknod /tmp/s b 8 0 && dd if=/tmp/s bs=1 count=1 of=/dev/null',
    netns: fails(EPERM, 'device cgroup'),
    docker: fails(EPERM, 'device cgroup'),
    microvm: fails(/No such device/i),
  },
  // The machine's kernel settings and cgroups.
  {
    probe: 'kernel.core_pattern',
    cmd: "echo '|/bin/false' > /proc/sys/kernel/core_pattern",
    netns: fails(/Read-only file system/i),
    docker: fails(/Read-only file system/i),
    microvm: ok(undefined, "the guest's own kernel"),
  },
  {
    probe: 'a new cgroup',
    cmd: 'mkdir /sys/fs/cgroup/pids/escape',
    netns: fails(/Read-only file system/i),
    docker: fails(/Read-only file system/i),
    microvm: fails(NOENT, 'no cgroup mounted in the guest'),
  },
  // The host's own identity and network, which root in the host does own.
  { probe: 'hostname', cmd: 'hostname', netns: ok(/^a$/), docker: ok(/^d$/), microvm: ok(/^vm$/) },
  {
    probe: 'ip addr add on eth0',
    cmd: `ip addr add ${EXTRA_IP}/24 dev eth0 && ip -4 -o addr show dev eth0 && ip addr del ${EXTRA_IP}/24 dev eth0`,
    netns: ok(new RegExp(`inet ${EXTRA_IP.replaceAll('.', '\\.')}/24`)),
    docker: ok(new RegExp(`inet ${EXTRA_IP.replaceAll('.', '\\.')}/24`)),
    microvm: ok(new RegExp(`inet ${EXTRA_IP.replaceAll('.', '\\.')}/24`)),
  },
  {
    probe: 'packet capture (tcpdump while pinging the gateway)',
    cmd: `ping -q -i 0.2 -w 6 ${GW} >/dev/null & p=$!; timeout 3 tcpdump -n -c 1 -i eth0 icmp; r=$?; kill $p; exit $r`,
    netns: ok(/1 packet captured/),
    docker: na('no tcpdump in the busybox image: see the arping and ping rows'),
    microvm: na('no tcpdump in the initramfs: see the arping and ping rows'),
  },
  {
    probe: 'packet socket (busybox arping the gateway)',
    cmd: `busybox arping -c 1 -w 3 -I eth0 ${GW}`,
    netns: ok(/Received 1 response/),
    docker: ok(/Received 1 response/),
    microvm: ok(/Received 1 response/),
  },
  {
    probe: 'raw ICMP socket (busybox ping the gateway)',
    cmd: `busybox ping -c 1 -W 3 ${GW}`,
    netns: ok(/1 packets received/),
    docker: ok(/1 packets received/),
    microvm: ok(/1 packets received/),
  },
  // The sandbox's own bounds.
  {
    probe: 'seccomp',
    cmd: 'grep Seccomp: /proc/self/status',
    netns: ok(/^Seccomp:\t2$/m),
    docker: ok(/^Seccomp:\t2$/m),
    microvm: na("a guest's processes are bounded by the hypervisor"),
  },
  {
    probe: 'no_new_privs',
    cmd: 'grep NoNewPrivs: /proc/self/status',
    netns: ok(/^NoNewPrivs:\t1$/m),
    docker: na("Docker's default does not set no_new_privs"),
    microvm: na("a guest's processes are bounded by the hypervisor"),
  },
  {
    probe: 'CAP_SYS_ADMIN',
    cmd: 'grep CapEff: /proc/self/status',
    netns: capsLack('SYS_ADMIN'),
    docker: capsLack('SYS_ADMIN'),
    microvm: na("guest root holds every capability of the guest's own kernel"),
  },
  {
    probe: 'other machine-wide capabilities',
    cmd: 'grep CapEff: /proc/self/status',
    netns: capsLack('SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'SYS_BOOT'),
    docker: capsLack('SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'DAC_READ_SEARCH', 'SYS_BOOT'),
    microvm: na("guest root holds every capability of the guest's own kernel"),
  },
  {
    probe: "the machine root's user keyring (keyctl read of a key the test put there)",
    cmd: READ_MACHINE_KEY,
    netns: keyHidden,
    docker: na("no keyctl client in the busybox image; Docker's default profile refuses keyctl"),
    microvm: na("the guest's own kernel has its own keyrings"),
  },
];

/** The table flattened to one row per host, `n/a` rows apart. */
const ROWS = PROBES.flatMap((p) =>
  (Object.keys(HOST_OF) as Kind[]).map((kind) => ({
    kind,
    host: HOST_OF[kind],
    probe: p.probe,
    cmd: p.cmd,
    want: p[kind],
    label: p[kind].label,
  })),
);

/** What the student types in the console of host a, and what the host must answer. */
const CONSOLE: ReadonlyArray<{ cmd: string; want: Want }> = [
  { cmd: 'id', want: ok(/uid=0\(root\)/, 'root of the host only') },
  { cmd: 'hostname', want: ok(/^a$/) },
  { cmd: 'ls -d /var/lib/cyrange', want: fails(NOENT) },
  {
    cmd: 'ip netns list',
    want: { label: 'nothing, or fails', check: (r, out) => r.code !== 0 || out.trim() === '' },
  },
  { cmd: 'head -1 /etc/shadow', want: absentOrNot(MACHINE_SHADOW, "the machine's") },
  { cmd: 'cat /proc/1/comm', want: ok(/^tini$/) },
  { cmd: 'nsenter -t 1 -m -- true', want: fails(EPERM) },
  { cmd: 'mount -t tmpfs x /mnt', want: fails(/permission denied/i) },
  {
    cmd: 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status',
    want: ok(/Seccomp:\t2[\s\S]*NoNewPrivs:\t1|NoNewPrivs:\t1[\s\S]*Seccomp:\t2/),
  },
  { cmd: 'grep CapEff: /proc/self/status', want: capsLack('SYS_ADMIN', 'SYS_MODULE') },
  { cmd: READ_MACHINE_KEY, want: keyHidden },
];

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

/** Terminal output without colours, titles and carriage returns. */
const plain = (s: string) =>
  s
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][0-9A-Za-z]/g, '')
    .replace(/\r/g, '');

describe.skipIf(!IS_ROOT)(
  'escape attempts from inside netns (sandboxed), docker and microVM hosts',
  () => {
    const state = tempStateDir();
    const inst = uniqueName('escape');
    const marker = `escape-${inst}`;
    /** A file on the machine that no host may see. */
    const machineFile = `/tmp/cyrange-escape-${inst}`;
    let server: ChildProcess | undefined;
    let base = '';
    let student = '';
    let keySerial = 0;
    const run = (args: string[]) => cli(args, { stateDir: state.dir, env });
    /** Runs `cmd` with sh inside a host; the leading token proves the shell ran there. */
    const probe = async (host: string, cmd: string): Promise<{ r: CliResult; out: string }> => {
      // Bounded, so a wedged exec fails its own row instead of the whole file's time.
      const r = await runCmd(['timeout', '-k', '5', '60', CYRANGE, 'exec', inst, host, '--', 'sh', '-c', `echo @@ran; ${cmd}`], {
        env: { ...process.env, ...env, CYRANGE_STATE_DIR: state.dir },
      });
      const all = r.stdout + r.stderr;
      expect(r.stdout.startsWith('@@ran\n'), `exec into ${host} did not run: ${all}`).toBe(true);
      return { r, out: all.replace(/^@@ran\n/, '').trim() };
    };

    beforeAll(async () => {
      writeFileSync(machineFile, `${marker}\n`);
      const key = await runCmd([
        'perl',
        '-e',
        'my ($t, $d, $v) = @ARGV; print syscall(248, $t, $d, $v, length($v), -4)',
        'user',
        KEY_DESC,
        KEY_SECRET,
      ]);
      keySerial = Number(key.stdout);
      expect(keySerial, key.stderr).toBeGreaterThan(0);
      const docker = await runCmd(['docker', 'image', 'inspect', 'cyrange-test/busybox:1']);
      if (docker.code !== 0) expect((await runCmd(['bash', join(ROOT, 'scripts', 'docker-up.sh')])).code).toBe(0);
      const rootfs = await run(['image', 'build-rootfs', '--if-missing']);
      expect(rootfs.code, rootfs.stderr).toBe(0);
      const microvm = await run(['image', 'build-microvm', '--if-missing', '--out', ASSETS]);
      expect(microvm.code, microvm.stderr).toBe(0);

      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = spawn(CYRANGE, ['serve', '--port', String(port)], {
        env: { ...process.env, ...env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
        stdio: 'ignore',
      });
      expect(await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);

      writeFileSync(join(state.dir, 'escape.yaml'), BLUEPRINT);
      const d = await run(['deploy', join(state.dir, 'escape.yaml'), '--name', inst]);
      expect(d.code, d.stderr + d.stdout).toBe(0);

      const added = await run(['user', 'add', 'stu', '--role', 'student']);
      expect(added.code, added.stderr).toBe(0);
      student = added.stdout.trim();
      const assign = await fetch(`${base}/api/ranges/${inst}/assignments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'stu' }),
      });
      expect(assign.status).toBe(204);
    }, 300_000);

    afterAll(async () => {
      await run(['destroy', inst]);
      if (server && server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((r) => server?.once('exit', r));
      }
      rmSync(machineFile, { force: true });
      // Revoke the key and unlink it from root's user keyring.
      if (keySerial > 0)
        await runCmd(['perl', '-e', 'my $k = $ARGV[0] + 0; syscall(250, 3, $k); syscall(250, 9, $k, -4)', String(keySerial)]);
      state.cleanup();
      expect((await runCmd(['ip', 'netns', 'list'])).stdout).not.toContain(inst);
    }, 120_000);

    describe('through cyrange exec', () => {
      it.each(ROWS.filter((r) => r.want.check))('$kind host $host: $probe → $label', async ({ host, cmd, want }) => {
        const { r, out } = await probe(host, cmd);
        expect(want.check?.(r, out), `exit ${r.code}:\n${out}`).toBe(true);
      });

      // Rows that do not apply to a runtime carry their reason; skipped tests would count as failures here.
      it('every probe that does not apply to a runtime says why', () => {
        const na = ROWS.filter((r) => !r.want.check);
        expect(na.length).toBeGreaterThan(0);
        for (const r of na) expect(r.want.label, `${r.kind} ${r.host} ${r.probe}`).toMatch(/^n\/a \(.+\)$/);
      });

      it("the machine's files are not in any host", async () => {
        for (const host of ['a', 'b', 'd', 'vm']) {
          const { r, out } = await probe(host, `cat ${machineFile}`);
          expect(r.code !== 0 && NOENT.test(out), `${host}: exit ${r.code}: ${out}`).toBe(true);
        }
      });

      it('a file written in host a is in host a only', async () => {
        const w = await probe('a', `echo ${marker} > /root/escape-marker && cat /root/escape-marker`);
        expect(w.r.code, w.out).toBe(0);
        expect(w.out).toBe(marker);
        for (const host of ['b', 'd', 'vm']) {
          const { r, out } = await probe(host, 'cat /root/escape-marker');
          expect(r.code !== 0 && NOENT.test(out), `${host}: exit ${r.code}: ${out}`).toBe(true);
        }
        // Nor did it land on the machine.
        const onMachine = existsSync('/root/escape-marker') ? readFileSync('/root/escape-marker', 'utf8') : '';
        expect(onMachine).not.toContain(marker);
      });
    });

    describe('through the web console, as a student assigned to the range (host a)', () => {
      let ws: WebSocket;
      let buf = '';
      let n = 0;

      beforeAll(async () => {
        // The student sees the range, and only through the API's authentication.
        const ranges = await fetch(`${base}/api/ranges`, { headers: { authorization: `Bearer ${student}` } });
        expect(((await ranges.json()) as Array<{ name: string }>).map((r) => r.name)).toEqual([inst]);
        // The token goes in the upgrade's Authorization header, as any non-browser client sends it.
        ws = new WebSocket(`${base.replace('http', 'ws')}/api/ranges/${inst}/hosts/a/console?cols=200&rows=50`, {
          headers: { authorization: `Bearer ${student}` },
        });
        ws.on('message', (d) => {
          buf += d.toString();
        });
        await new Promise((r, j) => ws.on('open', r).on('error', j));
        // The shell answers before any probe is typed.
        ws.send(JSON.stringify({ t: 'i', d: 'echo "@@""ready"\r' }));
        expect(await waitFor(() => plain(buf).includes('@@ready\n'), 15_000), plain(buf)).toBe(true);
      });

      afterAll(() => {
        ws?.close();
      });

      /** Types one command line; returns its output and exit status, framed by markers the echo of the typed line cannot contain. */
      async function type(cmd: string): Promise<{ r: CliResult; out: string }> {
        const k = ++n;
        ws.send(JSON.stringify({ t: 'i', d: `echo "@@""B${k}"; ${cmd}; echo "@@""E${k}:$?"\r` }));
        const re = new RegExp(`@@B${k}\\n([\\s\\S]*?)@@E${k}:(\\d+)`);
        const m = await waitFor(() => re.exec(plain(buf)), 15_000);
        expect(m, `no answer to ${cmd}:\n${plain(buf).slice(-2000)}`).toBeTruthy();
        const out = (m?.[1] ?? '').trim();
        const code = Number(m?.[2] ?? 1);
        return { r: { code, stdout: out, stderr: '' }, out };
      }

      it.each(CONSOLE.map((c) => ({ ...c, label: c.want.label })))('student types `$cmd` → $label', async ({ cmd, want }) => {
        const { r, out } = await type(cmd);
        expect(want.check?.(r, out), `exit ${r.code}:\n${out}`).toBe(true);
      });
    });
  },
  120_000,
);
