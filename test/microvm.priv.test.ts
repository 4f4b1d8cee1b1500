import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, ROOT, cli, pings, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const ASSETS = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';
// The admin token is there to show that it does not reach QEMU.
const env = { CYRANGE_MICROVM_ASSETS: ASSETS, CYRANGE_ADMIN_TOKEN: 'not-for-guests' };
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** Lines of /proc/PID/status by key. */
function procStatus(pid: number): Record<string, string> {
  const lines = readFileSync(`/proc/${pid}/status`, 'utf8').trim().split('\n');
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}
const ns = (instance: string, host?: string) => (host ? `cyr_${instance}_${host}` : `cyr_${instance}`);

const MIXED = `name: mixed
networks:
  - { name: lan, subnet: 10.70.0.0/24, dhcp: true }
  - { name: dmz, subnet: 10.71.0.0/24 }
vms:
  - name: vm1
    runtime: microvm
    resources: { memory: 160m, cpus: 1 }
    command: [sleep, infinity]
    interfaces:
      - { network: lan, ip: 10.70.0.20 }
      - { network: dmz, ip: 10.71.0.20 }
  - name: vm2
    runtime: microvm
    resources: { memory: 160m }
    network: { mode: dhcp }
    interfaces:
      - { network: lan }
  - name: vm3
    runtime: microvm
    resources: { memory: 160m }
    network: { mode: vsock }
  - name: n1
    runtime: netns
    interfaces:
      - { network: lan, ip: 10.70.0.30 }
  - name: n2
    runtime: netns
    interfaces:
      - { network: dmz, ip: 10.71.0.30 }
  - name: d1
    runtime: docker
    image: cyrange-test/busybox:1
    command: [sleep, infinity]
    interfaces:
      - { network: lan, ip: 10.70.0.40 }
`;

const SMALL = `name: small
networks:
  - { name: lan, subnet: 10.72.0.0/24 }
vms:
  - { name: vm, runtime: microvm, resources: { memory: 128m }, interfaces: [{ network: lan, ip: 10.72.0.20 }] }
  - { name: n, runtime: netns, interfaces: [{ network: lan, ip: 10.72.0.30 }] }
`;

/** QEMU processes whose ownership tag names `instance`. */
function vmsOf(instance: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`guest=cyrange:${instance}:`)) out.push(Number(d));
    } catch {}
  }
  return out;
}

describe.skipIf(!IS_ROOT)('microVM hosts under QEMU, wired by TAPs into the range namespace', () => {
  const state = tempStateDir();
  const mixed = uniqueName('mv');
  const copyA = uniqueName('mva');
  const copyB = uniqueName('mvb');
  const run = (args: string[], input?: string) => cli(args, { stateDir: state.dir, env, ...(input !== undefined ? { input } : {}) });
  const exec = (instance: string, host: string, argv: string[], input?: string) => run(['exec', instance, host, '--', ...argv], input);

  beforeAll(async () => {
    // The mixed range has a docker host: a daemon and the local test image must be there.
    const docker = await runCmd(['docker', 'image', 'inspect', 'cyrange-test/busybox:1']);
    if (docker.code !== 0) expect((await runCmd(['bash', join(ROOT, 'scripts', 'docker-up.sh')])).code).toBe(0);
    const built = await run(['image', 'build-microvm', '--if-missing', '--out', ASSETS]);
    expect(built.code, built.stderr).toBe(0);
    writeFileSync(join(state.dir, 'mixed.yaml'), MIXED);
    writeFileSync(join(state.dir, 'small.yaml'), SMALL);
    const deploys = await Promise.all([
      run(['deploy', join(state.dir, 'mixed.yaml'), '--name', mixed]),
      run(['deploy', join(state.dir, 'small.yaml'), '--name', copyA]),
      run(['deploy', join(state.dir, 'small.yaml'), '--name', copyB]),
    ]);
    for (const d of deploys) expect(d.code, d.stderr + d.stdout).toBe(0);
  }, 240_000);

  afterAll(async () => {
    for (const i of [mixed, copyA, copyB]) await run(['destroy', i]);
    state.cleanup();
  }, 60_000);

  it('a static microVM and a netns host on lan ping each other; the guest shows its blueprint IP and MAC', async () => {
    expect(await pings(ns(mixed, 'n1'), '10.70.0.20')).toBe(true);
    const ping = await exec(mixed, 'vm1', ['ping', '-c', '1', '-W', '2', '10.70.0.30']);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    const inspected = JSON.parse((await run(['inspect', mixed, '--json'])).stdout) as {
      hosts: Array<{
        name: string;
        runtime: string;
        state: string;
        runtimeInfo?: Record<string, string>;
        interfaces: Array<{ ifname: string; mac: string; ip: string }>;
      }>;
    };
    const vm1 = inspected.hosts.find((h) => h.name === 'vm1');
    expect(vm1?.runtime).toBe('microvm');
    expect(vm1?.runtimeInfo).toMatchObject({ launcher: 'qemu', channel: 'virtio-serial' });
    expect(vm1?.state).toBe('running');
    const addr = await exec(mixed, 'vm1', ['ip', 'addr', 'show', 'dev', 'eth0']);
    expect(addr.code).toBe(0);
    expect(addr.stdout).toContain('inet 10.70.0.20/24');
    expect(addr.stdout).toContain(`link/ether ${vm1?.interfaces[0]?.mac}`);
  });

  it('runs the guest in the range namespace on a tagged TAP, with the memory from resources, on the detected accelerator', async () => {
    const pid = vmsOf(mixed);
    expect(pid.length).toBe(3);
    const links = JSON.parse((await runCmd(['ip', '-n', ns(mixed), '-json', '-d', 'link', 'show', 'type', 'tun'])).stdout) as Array<{
      ifname: string;
      ifalias?: string;
      master?: string;
    }>;
    expect(links.map((l) => l.ifalias).sort()).toEqual([
      `cyrange:${mixed}:vm1:dmz`,
      `cyrange:${mixed}:vm1:lan`,
      `cyrange:${mixed}:vm2:lan`,
    ]);
    const meta = JSON.parse(readFileSync(join(state.dir, 'run', mixed, 'vm1.vm.json'), 'utf8'));
    expect(meta).toMatchObject({ launcher: 'qemu', channel: 'virtio-serial' });
    expect(['kvm', 'tcg']).toContain(meta.accel);
    const argv = readFileSync(`/proc/${meta.pid}/cmdline`, 'utf8').split('\0');
    expect(argv[argv.indexOf('-m') + 1]).toBe('160M');
    expect(argv[argv.indexOf('-accel') + 1]?.split(',')[0]).toBe(meta.accel);
    // The guest's own view of its memory agrees.
    const mem = await exec(mixed, 'vm1', ['grep', 'MemTotal', '/proc/meminfo']);
    expect(Number(/(\d+)/.exec(mem.stdout)?.[1])).toBeGreaterThan(100_000);
    expect(readFileSync(join(state.dir, 'run', mixed, 'vm-vm1', 'serial.log'), 'utf8')).toContain('cyrange: guest vm1 up');
  });

  it('runs QEMU as the unprivileged cyrange-qemu user, seccomp-sandboxed, with a minimal environment, on TAPs it owns', async () => {
    const uid = (await runCmd(['id', '-u', 'cyrange-qemu'])).stdout.trim();
    const gid = (await runCmd(['id', '-g', 'cyrange-qemu'])).stdout.trim();
    expect(uid).toMatch(/^\d+$/);
    const meta = JSON.parse(readFileSync(join(state.dir, 'run', mixed, 'vm1.vm.json'), 'utf8'));
    const st = procStatus(meta.pid);
    expect(st.Uid?.split(/\s+/)).toEqual([uid, uid, uid, uid]);
    expect(st.Gid?.split(/\s+/)).toEqual([gid, gid, gid, gid]);
    expect(st.Seccomp).toBe('2');
    expect(st.NoNewPrivs).toBe('1');
    expect(st.CapEff).toBe('0000000000000000');
    expect(st.CapBnd).toBe('0000000000000000');
    const environ = readFileSync(`/proc/${meta.pid}/environ`, 'utf8').split('\0').filter(Boolean).sort();
    expect(environ).toEqual(['HOME=/nonexistent', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    // Each guest has its own directory, the VM user's alone; the pid file and vm.json stay root's.
    const dir = statSync(join(state.dir, 'run', mixed, 'vm-vm1'));
    expect([dir.uid, dir.gid, dir.mode & 0o777]).toEqual([Number(uid), Number(gid), 0o700]);
    for (const f of ['vm1.vm.pid', 'vm1.vm.json']) expect(statSync(join(state.dir, 'run', mixed, f)).uid).toBe(0);
    expect(statSync(join(state.dir, 'run', mixed, 'vm-vm1', 'ctl')).uid).toBe(Number(uid));
    const group = (await runCmd(['id', '-gn', 'cyrange-qemu'])).stdout.trim();
    const taps = JSON.parse((await runCmd(['ip', '-n', ns(mixed), '-json', '-d', 'link', 'show', 'type', 'tun'])).stdout) as Array<{
      linkinfo: { info_data: { user?: string; group?: string } };
    }>;
    expect(taps.length).toBe(3);
    for (const t of taps) expect(t.linkinfo.info_data).toMatchObject({ user: 'cyrange-qemu', group });
  });

  it('a dhcp-mode microVM takes its address from the range DHCP server', async () => {
    const addr = await waitFor(async () => {
      const r = await exec(mixed, 'vm2', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      return /inet (10\.70\.0\.\d+)\/24/.exec(r.stdout)?.[1];
    }, 20_000);
    expect(addr).toBeTruthy();
    const leases = readFileSync(join(state.dir, 'run', mixed, 'dnsmasq.leases'), 'utf8');
    expect(leases).toContain(`${addr} vm2`);
    expect(await pings(ns(mixed, 'n1'), addr as string)).toBe(true);
  });

  it('netns, docker and microvm hosts share one network', async () => {
    expect((await exec(mixed, 'vm1', ['ping', '-c', '1', '-W', '2', '10.70.0.40'])).code).toBe(0);
    expect((await exec(mixed, 'd1', ['ping', '-c', '1', '-W', '2', '10.70.0.20'])).code).toBe(0);
    expect((await exec(mixed, 'd1', ['ping', '-c', '1', '-W', '2', '10.70.0.30'])).code).toBe(0);
  });

  it('a microVM with two NICs reaches both networks', async () => {
    for (const ip of ['10.70.0.30', '10.71.0.30']) {
      const r = await exec(mixed, 'vm1', ['ping', '-c', '1', '-W', '2', ip]);
      expect(r.code, `${ip}: ${r.stdout}`).toBe(0);
    }
    expect(await pings(ns(mixed, 'n2'), '10.71.0.20')).toBe(true);
  });

  it('the range services reach guests too: metadata, anti-spoofing on the TAP port, per-NIC stats', async () => {
    const md = await exec(mixed, 'vm1', ['wget', '-q', '-O', '-', 'http://169.254.169.254/latest/meta-data/hostname']);
    expect(md.stdout.trim()).toBe('vm1');
    const nc = await exec(mixed, 'vm1', ['wget', '-q', '-O', '-', 'http://169.254.169.254/latest/network-config']);
    expect(nc.stdout).toContain('- 10.70.0.20/24');
    // A source address the plan does not give this NIC reaches nobody; its own still works.
    const spoof = await exec(mixed, 'vm1', ['sh', '-c', 'ip addr add 10.70.0.99/24 dev eth0; ping -c 1 -W 1 -I 10.70.0.99 10.70.0.30']);
    expect(spoof.code).not.toBe(0);
    await exec(mixed, 'vm1', ['ip', 'addr', 'del', '10.70.0.99/24', 'dev', 'eth0']);
    expect((await exec(mixed, 'vm1', ['ping', '-c', '1', '-W', '2', '10.70.0.30'])).code).toBe(0);
    const stats = JSON.parse((await run(['stats', mixed, '--json'])).stdout) as Array<{
      host: string;
      network: string;
      tx_packets: number;
      rx_packets: number;
    }>;
    const row = stats.find((r) => r.host === 'vm1' && r.network === 'lan');
    expect(row?.tx_packets).toBeGreaterThan(0);
    expect(row?.rx_packets).toBeGreaterThan(0);
  });

  it('a vsock-mode microVM has only lo; exec passes stdin, output and the exit code over its channel', async () => {
    const links = await exec(mixed, 'vm3', ['ls', '/sys/class/net']);
    expect(links.stdout.trim().split(/\s+/)).toEqual(['lo']);
    const cat = await exec(mixed, 'vm3', ['sh', '-c', 'cat; echo oops >&2; exit 3'], 'from stdin\n');
    expect(cat.code).toBe(3);
    expect(cat.stdout).toBe('from stdin\n');
    expect(cat.stderr).toContain('oops');
    const con = await run(['console', mixed, 'vm3'], 'hostname\n');
    expect(con.stdout).toContain('vm3');
  });

  it('two copies of a range with microVMs run at once with the same IPs, isolated from each other', async () => {
    expect(await pings(ns(copyA, 'n'), '10.72.0.20')).toBe(true);
    expect(await pings(ns(copyB, 'n'), '10.72.0.20')).toBe(true);
    const stop = await run(['host', 'stop', copyA, 'vm']);
    expect(stop.code, stop.stderr).toBe(0);
    expect(vmsOf(copyA)).toEqual([]);
    // Stopped by a clean power-off over the control channel, not killed.
    expect(readFileSync(join(state.dir, 'run', copyA, 'vm-vm', 'serial.log'), 'utf8')).toContain('reboot: Power down');
    expect(await pings(ns(copyA, 'n'), '10.72.0.20')).toBe(false);
    expect(await pings(ns(copyB, 'n'), '10.72.0.20')).toBe(true);
    const ls = JSON.parse((await run(['inspect', copyA, '--json'])).stdout) as { hosts: Array<{ name: string; state: string }> };
    expect(ls.hosts.find((h) => h.name === 'vm')?.state).toBe('stopped');
    const start = await run(['host', 'start', copyA, 'vm']);
    expect(start.code, start.stderr).toBe(0);
    expect(await pings(ns(copyA, 'n'), '10.72.0.20')).toBe(true);
  }, 60_000);

  it('inspect reports a guest whose QEMU died as stopped, and deploy repairs it', async () => {
    const meta = JSON.parse(readFileSync(join(state.dir, 'run', copyB, 'vm.vm.json'), 'utf8'));
    process.kill(meta.pid, 'SIGKILL');
    await waitFor(() => !existsSync(`/proc/${meta.pid}/cmdline`) || readFileSync(`/proc/${meta.pid}/cmdline`).length === 0, 5_000);
    const before = JSON.parse((await run(['inspect', copyB, '--json'])).stdout) as { hosts: Array<{ name: string; state: string }> };
    expect(before.hosts.find((h) => h.name === 'vm')?.state).toBe('stopped');
    const again = await run(['deploy', join(state.dir, 'small.yaml'), '--name', copyB]);
    expect(again.code, again.stderr).toBe(0);
    expect(await pings(ns(copyB, 'n'), '10.72.0.20')).toBe(true);
  }, 60_000);

  it('hot-plugs a NIC out of and into a running guest through QMP; store, inspect and guest agree', async () => {
    const rm = await run(['nic', 'rm', mixed, 'vm1', 'dmz']);
    expect(rm.code, rm.stderr).toBe(0);
    expect((await exec(mixed, 'vm1', ['ls', '/sys/class/net'])).stdout.trim().split(/\s+/)).toEqual(['eth0', 'lo']);
    expect(await pings(ns(mixed, 'n2'), '10.71.0.20')).toBe(false);
    const add = await run(['nic', 'add', mixed, 'vm1', 'dmz', '--ip', '10.71.0.21']);
    expect(add.code, add.stderr).toBe(0);
    expect(await pings(ns(mixed, 'n2'), '10.71.0.21')).toBe(true);
    const inspected = JSON.parse((await run(['inspect', mixed, '--json'])).stdout) as {
      hosts: Array<{ name: string; interfaces: Array<{ ifname: string; ip: string; observed: { ipv4: string[] } | null }> }>;
    };
    const eth1 = inspected.hosts.find((h) => h.name === 'vm1')?.interfaces.find((n) => n.ifname === 'eth1');
    expect(eth1?.ip).toBe('10.71.0.21');
    expect(eth1?.observed?.ipv4).toEqual(['10.71.0.21/24']);
  }, 60_000);

  it('host restart keeps the NICs', async () => {
    const r = await run(['host', 'restart', mixed, 'vm1']);
    expect(r.code, r.stderr).toBe(0);
    const addrs = await exec(mixed, 'vm1', ['ip', '-4', '-o', 'addr']);
    expect(addrs.stdout).toContain('10.70.0.20/24');
    expect(addrs.stdout).toContain('10.71.0.21/24');
  }, 60_000);

  it("boots the blueprint's own kernel, initramfs and root disk through an overlay; the command runs inside the disk", async () => {
    const manifest = JSON.parse(readFileSync(join(ASSETS, 'manifest.json'), 'utf8'));
    const root = join(state.dir, 'rootfs');
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'tmp'));
    copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
    for (const a of ['sh', 'cat', 'sleep']) symlinkSync('busybox', join(root, 'bin', a));
    writeFileSync(join(root, 'etc', 'issue'), 'from the disk\n');
    // The base sits in the root-only state directory: QEMU gets it as a read-only descriptor.
    const disk = join(state.dir, 'root.ext4');
    expect((await runCmd(['mkfs.ext4', '-q', '-d', root, disk, '16M'])).code).toBe(0);
    const baseSum = sha256(disk);
    const own = uniqueName('mvd');
    writeFileSync(
      join(state.dir, 'own.yaml'),
      `name: own
networks: [{ name: lan, subnet: 10.73.0.0/24 }]
vms:
  - name: vm
    runtime: microvm
    microvm: { kernel: ${join(ASSETS, manifest.kernel.file)}, initrd: ${join(ASSETS, manifest.initrd.file)}, disk: ${disk}, append: "loglevel=3" }
    command: [/bin/sh, -c, "cat /etc/issue > /tmp/marker; exec sleep 100000"]
    interfaces: [{ network: lan, ip: 10.73.0.20 }]
`,
    );
    try {
      const d = await run(['deploy', join(state.dir, 'own.yaml'), '--name', own]);
      expect(d.code, d.stderr).toBe(0);
      const marker = await waitFor(async () => (await exec(own, 'vm', ['cat', '/mnt/root/tmp/marker'])).stdout, 10_000);
      expect(marker).toBe('from the disk\n');
      expect((await exec(own, 'vm', ['cat', '/proc/cmdline'])).stdout).toContain('loglevel=3');
      // Writes land in the host's overlay, which outlives a stop and start; the base stays as it was.
      const write = await exec(own, 'vm', ['sh', '-c', 'echo kept > /mnt/root/etc/issue && echo new > /mnt/root/tmp/written && sync']);
      expect(write.code, write.stderr).toBe(0);
      const overlay = join(state.dir, 'hosts', own, 'vm', 'disk.qcow2');
      expect(existsSync(overlay)).toBe(true);
      const info = JSON.parse((await runCmd(['qemu-img', 'info', '-U', '--output=json', overlay])).stdout);
      expect(info).toMatchObject({ format: 'qcow2', 'backing-filename': disk, 'backing-filename-format': 'raw' });
      expect((await run(['host', 'stop', own, 'vm'])).code).toBe(0);
      expect(sha256(disk)).toBe(baseSum);
      expect((await run(['host', 'start', own, 'vm'])).code).toBe(0);
      expect((await exec(own, 'vm', ['cat', '/mnt/root/tmp/written'])).stdout).toBe('new\n');
      // The command ran again at boot, on the disk as the guest left it.
      const rerun = await waitFor(async () => (await exec(own, 'vm', ['cat', '/mnt/root/tmp/marker'])).stdout === 'kept\n', 10_000);
      expect(rerun).toBe(true);
      expect(sha256(disk)).toBe(baseSum);
    } finally {
      await run(['destroy', own]);
    }
    expect(existsSync(join(state.dir, 'hosts', own))).toBe(false);
    expect(sha256(disk)).toBe(baseSum);
  }, 120_000);

  it('destroy leaves no QEMU process, TAP or socket', async () => {
    const pids = vmsOf(copyA);
    expect(pids.length).toBe(1);
    const r = await run(['destroy', copyA]);
    expect(r.code, r.stderr).toBe(0);
    // Returned only once QEMU is gone: reaped, not even a zombie (it was started by another CLI).
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(vmsOf(copyA)).toEqual([]);
    expect((await runCmd(['ip', 'netns', 'list'])).stdout).not.toContain(copyA);
    expect(existsSync(join(state.dir, 'run', copyA))).toBe(false);
  });

  it('gc kills and removes a microVM range that no store knows', async () => {
    const other = tempStateDir();
    const orphan = uniqueName('mvo');
    try {
      const d = await cli(['deploy', join(state.dir, 'small.yaml'), '--name', orphan], { stateDir: other.dir, env });
      expect(d.code, d.stderr).toBe(0);
      // Its store is lost; the rest of that state directory (the netns host's mounted root) stays until gc.
      rmSync(join(other.dir, 'cyrange.db'), { force: true });
      expect(vmsOf(orphan).length).toBe(1);
      const gc = JSON.parse((await run(['gc', '--json'])).stdout);
      expect(gc.removed).toContain(orphan);
      expect(vmsOf(orphan)).toEqual([]);
      expect((await runCmd(['ip', 'netns', 'list'])).stdout).not.toContain(orphan);
      expect(gc.kept).toContain(mixed);
    } finally {
      other.cleanup();
    }
  }, 60_000);
});
