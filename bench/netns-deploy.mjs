// Deploy/destroy time of netns ranges of 10, 50 and 100 hosts, against the floor: the same
// kernel work done by a minimal hand-written `ip -batch` script, measured in the same run.
// Also: 20 concurrent copies of the firewall example, total time and memory per range.
// Run as root after `npm run build`: node bench/netns-deploy.mjs
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, configFromEnv } from '../dist/engine/index.js';
import { loadRawRange, resolveRange } from '../dist/model/index.js';
import { openStore } from '../dist/store/index.js';

const stateDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-'));
const cfg = { ...configFromEnv(), stateDir };
const store = openStore({ stateDir });
const engine = new Engine(store, cfg);
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const now = () => process.hrtime.bigint();
const REPS = Number(process.env.BENCH_REPS ?? 3);

function blueprint(name, hosts) {
  const nets = [0, 1, 2, 3].map((i) => ({ name: `n${i}`, subnet: `10.${i}.0.0/22` }));
  const vms = Array.from({ length: hosts }, (_, i) => ({ name: `h${i}`, interfaces: [{ network: `n${i % 4}` }] }));
  return resolveRange(loadRawRange(JSON.stringify({ name, networks: nets, vms })));
}

function sh(argv, input) {
  execFileSync(argv[0], argv.slice(1), { input, stdio: ['pipe', 'ignore', 'inherit'] });
}

async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

function runAsync(argv, input) {
  return new Promise((res, rej) => {
    const c = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'ignore', 'inherit'] });
    c.on('close', (code) => (code === 0 ? res() : rej(new Error(`${argv.join(' ')}: ${code}`))));
    c.stdin.end(input ?? '');
  });
}

const HOST_INIT =
  'echo 0 > /proc/sys/net/ipv4/ip_forward; for f in all default; do echo 2 > /proc/sys/net/ipv4/conf/$f/rp_filter; echo 1 > /proc/sys/net/ipv6/conf/$f/disable_ipv6; done; exec "$@"';

// The floor: one batch per object class, hosts configured and started with the same parallelism,
// plus the same firewall and metadata listener: only the kernel and process work, no bookkeeping.
async function floorDeploy(range) {
  const R = `cyrfloor_${range.instance}`;
  const hostNs = range.hosts.map((h) => `cyrfloor_${range.instance}_${h.name}`);
  sh(['ip', '-batch', '-'], [R, ...hostNs].map((n) => `netns add ${n}`).join('\n') + '\n');
  sh([
    'nsenter',
    `--net=/run/netns/${R}`,
    'sysctl',
    '-q',
    '-e',
    '-w',
    'net.ipv4.ip_forward=0',
    'net.ipv4.conf.all.rp_filter=2',
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.bridge.bridge-nf-call-iptables=0',
  ]);
  const lines = ['link set lo up'];
  for (const n of range.networks)
    lines.push(`link add ${n.bridge} type bridge`, `addr add ${n.gateway}/${n.prefix} dev ${n.bridge}`, `link set ${n.bridge} up`);
  range.hosts.forEach((h, i) => {
    for (const nic of h.interfaces) {
      const br = range.networks.find((n) => n.name === nic.network).bridge;
      lines.push(
        `link add ${nic.peer} type veth peer name ${nic.ifname} address ${nic.mac} netns ${hostNs[i]}`,
        `link set ${nic.peer} master ${br} up`,
      );
    }
  });
  sh(['ip', '-n', R, '-batch', '-'], lines.join('\n') + '\n');
  // The same nft work: the routing table, and anti-spoofing rules for every NIC in a bridge table.
  const spoof = range.hosts.flatMap((h) =>
    h.interfaces.flatMap((n) => [
      `iifname "${n.peer}" ether saddr != ${n.mac} drop`,
      `iifname "${n.peer}" ether type ip ip saddr != ${n.ip} drop`,
      `iifname "${n.peer}" ether type arp arp saddr ip != ${n.ip} drop`,
    ]),
  );
  sh(
    ['nsenter', `--net=/run/netns/${R}`, 'nft', '-f', '-'],
    `table inet f {\n chain forward { type filter hook forward priority filter; policy drop; }\n}\ntable bridge f {\n chain spoof { type filter hook prerouting priority -200; policy accept;\n${spoof.join('\n')}\n }\n}\n`,
  );
  // The metadata listener: an address on lo and one socat.
  sh(['ip', '-n', R, 'addr', 'add', '169.254.169.254/32', 'dev', 'lo']);
  const md = spawn(
    'nsenter',
    [`--net=/run/netns/${R}`, '--', 'socat', 'TCP-LISTEN:80,bind=169.254.169.254,fork,reuseaddr', 'EXEC:/bin/true'],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  md.unref();
  const pids = [];
  await pool(
    range.hosts.map((h, i) => [h, hostNs[i]]),
    cfg.concurrency,
    async ([h, ns]) => {
      const l = ['link set lo up'];
      for (const nic of h.interfaces) l.push(`addr add ${nic.ip}/${nic.prefix} dev ${nic.ifname}`, `link set ${nic.ifname} up`);
      l.push(`route add default via ${h.interfaces[0].gateway}`);
      await runAsync(['ip', '-n', ns, '-batch', '-'], l.join('\n') + '\n');
      // The same per-host sysctls Cyrange sets (a new namespace inherits the root's), then the command.
      const c = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', '/bin/sh', '-c', HOST_INIT, 'sh', 'sleep', 'infinity'], {
        detached: true,
        stdio: 'ignore',
      });
      c.unref();
      pids.push(c.pid);
    },
  );
  pids.push(md.pid);
  return { R, hostNs, pids };
}

function floorDestroy({ R, hostNs, pids }) {
  for (const p of pids) process.kill(p, 'SIGKILL');
  sh(['ip', '-batch', '-'], [R, ...hostNs].map((n) => `netns del ${n}`).join('\n') + '\n');
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

try {
  console.log(`netns deploy benchmark: ${REPS} reps each, median shown, concurrency ${cfg.concurrency}`);
  for (const n of [10, 50, 100]) {
    const ours = { d: [], x: [] };
    const floor = { d: [], x: [] };
    for (let rep = 0; rep < REPS; rep++) {
      const r = blueprint(`bench${n}r${rep}`, n);
      let t = now();
      const f = await floorDeploy(r);
      floor.d.push(ms(t));
      t = now();
      floorDestroy(f);
      floor.x.push(ms(t));
      t = now();
      await engine.deploy(r, '');
      ours.d.push(ms(t));
      t = now();
      await engine.destroy(r.instance);
      ours.x.push(ms(t));
    }
    const [od, fd, ox, fx] = [median(ours.d), median(floor.d), median(ours.x), median(floor.x)];
    console.log(
      `${String(n).padStart(3)} hosts: deploy ${od.toFixed(0)} ms (floor ${fd.toFixed(0)} ms, ratio ${(od / fd).toFixed(2)}x)  ` +
        `destroy ${ox.toFixed(0)} ms (floor ${fx.toFixed(0)} ms, ratio ${(ox / fx).toFixed(2)}x)`,
    );
  }

  // 20 concurrent copies of the firewall example.
  const src = readFileSync(new URL('../examples/firewall.yaml', import.meta.url), 'utf8');
  const raw = loadRawRange(src);
  const copies = Array.from({ length: 20 }, (_, i) => resolveRange(raw, { instance: `benchfw${i}` }));
  // Memory beyond the hosts' own processes: kernel memory for namespaces, bridges, veths and
  // nft tables (unreclaimable slab + per-cpu), plus the range's service processes (dnsmasq and
  // DHCP clients; their proportional set size), averaged per range.
  const k0 = kernelKiB();
  let t = now();
  await Promise.all(copies.map((r) => engine.deploy(r, src)));
  const total = ms(t);
  await new Promise((r) => setTimeout(r, 300));
  const kernel = (kernelKiB() - k0) / copies.length;
  const services = servicesPssKiB() / copies.length;
  t = now();
  await Promise.all(copies.map((r) => engine.destroy(r.instance)));
  const tDestroy = ms(t);
  console.log(
    `20 concurrent firewall copies (${copies.length * copies[0].hosts.length} hosts): deploy ${total.toFixed(0)} ms total, destroy ${tDestroy.toFixed(0)} ms; ` +
      `memory per range beyond its host processes ≈ ${((kernel + services) / 1024).toFixed(2)} MiB (kernel ${(kernel / 1024).toFixed(2)} MiB, services (dnsmasq, DHCP client, metadata) ${(services / 1024).toFixed(2)} MiB)`,
  );
} finally {
  for (const r of await engine.list()) await engine.destroy(r.instance).catch(() => {});
  store.close();
  rmSync(stateDir, { recursive: true, force: true });
}

function meminfo() {
  return Object.fromEntries(
    readFileSync('/proc/meminfo', 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [k, v] = l.split(':');
        return [k, Number.parseInt(v, 10)];
      }),
  );
}

function kernelKiB() {
  const m = meminfo();
  return m.SUnreclaim + (m.Percpu ?? 0) + m.KernelStack + m.PageTables;
}

// PSS of every service process a benchmark range started: dnsmasq, udhcpc, the metadata listener.
function servicesPssKiB() {
  let sum = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('benchfw') && !cmd.startsWith('busybox\0udhcpc') && !cmd.includes('169.254.169.254')) continue;
      if (!/^(dnsmasq|busybox\0udhcpc|nsenter|socat)/.test(cmd)) continue;
      sum += Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return sum;
}
