// MicroVM figures: time from deploy to every guest answering ping, for 1 and 5 microVMs, against
// the floor measured in the same run (the same QEMU command line started by hand on a TAP, no
// Cyrange), and the memory each QEMU process holds beyond what its guest uses.
// Run as root after scripts/setup.sh: node bench/microvm-deploy.mjs
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, configFromEnv } from '../dist/engine/index.js';
import { loadRawRange, resolveRange } from '../dist/model/index.js';
import { openStore } from '../dist/store/index.js';

const stateDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-mv-'));
const assets = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';
const cfg = { ...configFromEnv(), stateDir, microvmAssets: assets };
const store = await openStore({ stateDir });
// The benchmark runs as root on the machine, as the CLI does: no admission limits.
const ACTOR = { kind: 'local-root' };
const engine = new Engine(store, cfg);
const now = () => process.hrtime.bigint();
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const MEM_MB = 128;

function blueprint(name, n, instance) {
  const vms = Array.from({ length: n }, (_, i) => ({
    name: `vm${i}`,
    runtime: 'microvm',
    resources: { memory: `${MEM_MB}m` },
    interfaces: [{ network: 'lan', ip: `10.88.0.${20 + i}` }],
  }));
  return resolveRange(loadRawRange(JSON.stringify({ name, networks: [{ name: 'lan', subnet: '10.88.0.0/24' }], vms })), { instance });
}

function pingsFrom(netns, ip) {
  try {
    execFileSync('ip', ['netns', 'exec', netns, 'ping', '-c', '1', '-W', '0.2', '-q', ip], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function untilAllPing(netns, ips, t0) {
  const left = new Set(ips);
  while (left.size > 0) {
    for (const ip of [...left]) if (pingsFrom(netns, ip)) left.delete(ip);
    if (ms(t0) > 180_000) throw new Error(`no answer from ${[...left].join(', ')}`);
  }
  return ms(t0);
}

async function cyrange(n) {
  const range = blueprint(`b${n}`, n, `zbmv${n}`);
  const t0 = now();
  const r = await engine.deploy(range, '', null, ACTOR);
  const deployMs = ms(t0);
  const pingMs = await untilAllPing(
    `cyr_${range.instance}`,
    range.hosts.map((h) => h.interfaces[0].ip),
    t0,
  );
  const vmMeta = JSON.parse(readFileSync(join(stateDir, 'run', range.instance, 'vm0.vm.json'), 'utf8'));
  return { range, deployMs, pingMs, accel: vmMeta.accel, ok: r.changed };
}

/** The same guests launched by hand: a bridge and TAPs in a namespace, the QEMU argv Cyrange would use. */
async function floor(n) {
  const ns = `zbmvfloor${n}`;
  const sh = (...a) => execFileSync('ip', ['-n', ns, ...a]);
  execFileSync('ip', ['netns', 'add', ns]);
  sh('link', 'add', 'br0', 'type', 'bridge');
  sh('addr', 'add', '10.88.0.1/24', 'dev', 'br0');
  sh('link', 'set', 'br0', 'up');
  const manifest = JSON.parse(readFileSync(join(assets, 'manifest.json'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'cyrange-floor-'));
  const accel = JSON.parse(readFileSync('/run/cyrange/kvm-probe.json', 'utf8')).kvm ? 'kvm' : 'tcg';
  const t0 = now();
  const procs = [];
  for (let i = 0; i < n; i++) {
    sh('tuntap', 'add', 'dev', `t${i}`, 'mode', 'tap', 'vnet_hdr');
    sh('link', 'set', `t${i}`, 'master', 'br0', 'up');
    const mac = `02:00:00:00:88:${(i + 16).toString(16)}`;
    writeFileSync(join(dir, `g${i}`), `CYR_HOSTNAME='vm${i}'\nCYR_CMD=''\nCYR_DISK=0\n`);
    const argv = ['netns', 'exec', ns, 'qemu-system-x86_64', '-machine', 'pc', '-accel', accel === 'kvm' ? 'kvm' : 'tcg,tb-size=32'];
    argv.push('-cpu', accel === 'kvm' ? 'host' : 'max');
    argv.push(
      '-m',
      `${MEM_MB}M`,
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-no-reboot',
      '-serial',
      `file:${join(dir, `s${i}`)}`,
    );
    argv.push('-kernel', join(assets, manifest.kernel.file), '-initrd', join(assets, manifest.initrd.file));
    argv.push(
      '-append',
      `console=ttyS0 panic=-1 quiet ip=10.88.0.${20 + i}::10.88.0.1:255.255.255.0:vm${i}:eth0:off cyrange.mac=eth0,${mac}`,
    );
    argv.push('-fw_cfg', `name=opt/cyrange/config,file=${join(dir, `g${i}`)}`);
    argv.push('-netdev', `tap,id=n0,ifname=t${i},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${mac}`);
    procs.push(spawn('ip', argv, { stdio: 'ignore' }));
  }
  try {
    return await untilAllPing(
      ns,
      Array.from({ length: n }, (_, i) => `10.88.0.${20 + i}`),
      t0,
    );
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Per guest, in MiB: the QEMU process's RSS, the part of it that is guest RAM (the anonymous
 * mapping of the configured size), and the rest: what a microVM costs beyond its RAM.
 */
function memory(range) {
  return range.hosts.map((h) => {
    const meta = JSON.parse(readFileSync(join(stateDir, 'run', range.instance, `${h.name}.vm.json`), 'utf8'));
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${meta.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    let size = 0;
    let ram = 0;
    for (const line of readFileSync(`/proc/${meta.pid}/smaps`, 'utf8').split('\n')) {
      if (line.startsWith('Size:')) size = Number(line.split(/\s+/)[1]);
      else if (line.startsWith('Rss:') && size === MEM_MB * 1024) ram = Number(line.split(/\s+/)[1]) / 1024;
    }
    return { rss, ram, overhead: rss - ram };
  });
}

const f = (x) => x.toFixed(0);
try {
  if (!existsSync(join(assets, 'manifest.json'))) throw new Error(`no microVM assets in ${assets}: run cyrange image build-microvm`);
  for (const n of [1, 5]) {
    const c = await cyrange(n);
    const fl = await floor(n);
    console.log(
      `${n} microVM(s), ${c.accel}: deploy returned ${f(c.deployMs)} ms, all ping ${f(c.pingMs)} ms; floor (bare QEMU, same argv) ${f(fl)} ms; ratio ${(c.pingMs / fl).toFixed(2)}x`,
    );
    if (n === 5) {
      // Free page reporting hands the boot's transient pages back within seconds.
      await new Promise((r) => setTimeout(r, 5000));
      const rows = memory(c.range);
      const avg = (k) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
      console.log(
        `memory per microVM (${MEM_MB} MiB configured), 5 s after boot: QEMU RSS ${f(avg('rss'))} MiB, of it guest RAM ${f(avg('ram'))} MiB; beyond its RAM ${f(avg('overhead'))} MiB`,
      );
    }
    await engine.destroy(c.range.instance);
  }
} finally {
  await store.close?.();
  rmSync(stateDir, { recursive: true, force: true });
}
