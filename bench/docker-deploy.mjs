// Deploy and destroy of the reference docker range (10 busybox hosts, 3 networks, 13 NICs;
// hosts 1-3 have two NICs) against a hand-written baseline measured in the same run:
// `docker run --network none` one by one, then wiring with ip and nsenter.
// Also 10 concurrent copies: total time and memory per range.
// Run as root after `bash scripts/setup.sh` (dockerd up, test image built): node bench/docker-deploy.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, configFromEnv } from '../dist/engine/index.js';
import { loadRawRange, resolveRange } from '../dist/model/index.js';
import { openStore } from '../dist/store/index.js';
import { meminfo } from './proc.mjs';
import { ms, now } from './timing.mjs';

const IMAGE = 'cyrange-test/busybox:1';
const REPS = Number(process.env.BENCH_REPS ?? 3);
const stateDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-docker-'));
const store = await openStore({ stateDir });
// The benchmark runs as root on the machine, as the CLI does: no admission limits.
const ACTOR = { kind: 'local-root' };
const engine = new Engine(store, { ...configFromEnv(), stateDir });

const sh = (argv, input) => execFileSync(argv[0], argv.slice(1), { input, stdio: ['pipe', 'pipe', 'inherit'] }).toString();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function reference(instance) {
  const nets = ['a', 'b', 'c'].map((n, i) => ({ name: n, subnet: `10.${20 + i}.0.0/24` }));
  const vms = Array.from({ length: 10 }, (_, i) => ({
    name: `h${i}`,
    runtime: 'docker',
    image: IMAGE,
    interfaces: i >= 1 && i <= 3 ? [{ network: nets[i % 3].name }, { network: nets[(i + 1) % 3].name }] : [{ network: nets[i % 3].name }],
  }));
  return resolveRange(loadRawRange(JSON.stringify({ name: 'ref', networks: nets, vms })), { instance });
}

// The baseline: what an operator would script by hand, container by container.
function baselineDeploy(r) {
  const R = `cyrbase_${r.instance}`;
  sh(['ip', 'netns', 'add', R]);
  sh(
    ['ip', '-n', R, '-batch', '-'],
    r.networks
      .map((n) => `link add ${n.bridge} type bridge\naddr add ${n.gateway}/${n.prefix} dev ${n.bridge}\nlink set ${n.bridge} up`)
      .join('\n') + '\n',
  );
  const names = [];
  for (const h of r.hosts) {
    const name = `cyrbase_${r.instance}_${h.name}`;
    sh(['docker', 'run', '-d', '--network', 'none', '--cap-add', 'NET_ADMIN', '--name', name, IMAGE]);
    names.push(name);
  }
  r.hosts.forEach((h, i) => {
    const pid = sh(['docker', 'inspect', '-f', '{{.State.Pid}}', names[i]]).trim();
    for (const nic of h.interfaces) {
      const br = r.networks.find((n) => n.name === nic.network).bridge;
      sh(['ip', '-n', R, 'link', 'add', nic.peer, 'type', 'veth', 'peer', 'name', nic.ifname, 'address', nic.mac, 'netns', pid]);
      sh(['ip', '-n', R, 'link', 'set', nic.peer, 'master', br, 'up']);
      sh(['nsenter', '-t', pid, '-n', 'ip', 'addr', 'add', `${nic.ip}/${nic.prefix}`, 'dev', nic.ifname]);
      sh(['nsenter', '-t', pid, '-n', 'ip', 'link', 'set', nic.ifname, 'up']);
    }
    sh(['nsenter', '-t', pid, '-n', 'ip', 'route', 'add', 'default', 'via', h.interfaces[0].gateway]);
  });
  return { R, names };
}

function baselineDestroy({ R, names }) {
  for (const n of names) sh(['docker', 'rm', '-f', n]);
  sh(['ip', 'netns', 'del', R]);
}

const usedKiB = () => {
  const m = meminfo();
  return m.MemTotal - m.MemAvailable;
};

try {
  const ours = { d: [], x: [] };
  const base = { d: [], x: [] };
  for (let rep = 0; rep < REPS; rep++) {
    const r = reference(`dref${rep}`);
    let t = now();
    const b = baselineDeploy(r);
    base.d.push(ms(t));
    t = now();
    baselineDestroy(b);
    base.x.push(ms(t));
    t = now();
    await engine.deploy(r, '', null, ACTOR);
    ours.d.push(ms(t));
    t = now();
    await engine.destroy(r.instance);
    ours.x.push(ms(t));
  }
  const [od, bd, ox, bx] = [median(ours.d), median(base.d), median(ours.x), median(base.x)];
  console.log(`docker reference range (10 hosts, 3 networks, 13 NICs), ${REPS} reps, median, concurrency ${configFromEnv().concurrency}:`);
  console.log(`  deploy  ${od.toFixed(0)} ms vs baseline ${bd.toFixed(0)} ms: ratio ${(od / bd).toFixed(2)}x`);
  console.log(`  destroy ${ox.toFixed(0)} ms vs baseline ${bx.toFixed(0)} ms: ratio ${(ox / bx).toFixed(2)}x`);

  const copies = Array.from({ length: 10 }, (_, i) => reference(`dcopy${i}`));
  const before = usedKiB();
  let t = now();
  await Promise.all(copies.map((r) => engine.deploy(r, '', null, ACTOR)));
  const total = ms(t);
  await new Promise((r) => setTimeout(r, 500));
  const per = (usedKiB() - before) / copies.length;
  t = now();
  await Promise.all(copies.map((r) => engine.destroy(r.instance)));
  console.log(
    `  10 concurrent copies (100 containers): deploy ${total.toFixed(0)} ms total, destroy ${ms(t).toFixed(0)} ms; memory ≈ ${(per / 1024).toFixed(1)} MiB per range (10 containers and their shims included)`,
  );
} finally {
  for (const r of await engine.list()) await engine.destroy(r.instance).catch(() => {});
  await store.close();
  rmSync(stateDir, { recursive: true, force: true });
}
