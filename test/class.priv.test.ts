import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYRANGE, IS_ROOT, ROOT, cli, inNs, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';
import { apiClient } from './api-client.js';

const ADMIN = 'class-admin-token-0123456789';
const PORT = 24000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const { api } = apiClient(BASE);
const ASSETS = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const ROSTER = Array.from({ length: 10 }, (_, i) => `stu${i + 1}`);

describe.skipIf(!IS_ROOT)('running a class: pools, reset, snapshots, capture', () => {
  const state = tempStateDir();
  const env = { CYRANGE_MICROVM_ASSETS: ASSETS };
  const pool = uniqueName('cls').slice(0, 18);
  const single = uniqueName('one');
  let server: ChildProcess;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, ...env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
  });

  afterAll(async () => {
    await cli(['pool', 'destroy', pool], { stateDir: state.dir, env });
    await cli(['destroy', single], { stateDir: state.dir, env });
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    state.cleanup();
  }, 180_000);

  it('a pool of 10 copies with a roster: every copy runs with the same IPs, each student gets their own', async () => {
    const roster = join(state.dir, 'students.csv');
    writeFileSync(roster, `name,email\n${ROSTER.map((s) => `${s},${s}@example.test`).join('\n')}\n`);
    const out = join(state.dir, 'tokens.csv');
    const r = await cli(
      ['pool', 'create', join(ROOT, 'examples', 'two-tier.yaml'), '--name', pool, '--roster', roster, '--tokens-out', out],
      {
        stateDir: state.dir,
        env,
      },
    );
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`pool ${pool}: 10 of 10 copies running`);
    tokens = Object.fromEntries(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','))
        .map(([s, , t]) => [s as string, t as string]),
    );
    expect(Object.keys(tokens).sort()).toEqual([...ROSTER].sort());
    const addrs = new Set<string>();
    for (let i = 1; i <= 10; i++) {
      const inst = `${pool}-${String(i).padStart(2, '0')}`;
      const ip = await inNs(`cyr_${inst}_client`, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      addrs.add(/inet (\S+)/.exec(ip.stdout)?.[1] ?? 'none');
    }
    expect([...addrs]).toEqual(['10.0.1.10/24']);
  }, 300_000);

  it('each student sees only their own copy', async () => {
    for (const [i, s] of ROSTER.entries()) {
      const own = `${pool}-${String(i + 1).padStart(2, '0')}`;
      const list = await api('GET', '/api/ranges', tokens[s] as string);
      expect(list.status).toBe(200);
      expect(list.body.map((x: { name: string }) => x.name)).toEqual([own]);
      const other = `${pool}-${String(((i + 1) % 10) + 1).padStart(2, '0')}`;
      expect((await api('GET', `/api/ranges/${other}`, tokens[s] as string)).status).toBe(404);
    }
    // Students may not reset their copy unless the pool says so.
    expect((await api('POST', `/api/ranges/${pool}-01/reset`, tokens.stu1 as string)).status).toBe(403);
  });

  it("capture: pings between two hosts are in the pcap, a BPF filter applies, another range's student is refused", async () => {
    const inst = `${pool}-01`;
    const file = join(state.dir, 'lan.pcap');
    const cap = spawn(CYRANGE, ['capture', inst, 'lan', '--filter', 'icmp', '-w', file], {
      env: { ...process.env, ...env, CYRANGE_STATE_DIR: state.dir },
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 1000));
    await cli(['exec', inst, 'client', '--', 'ping', '-c', '3', '-i', '0.2', '10.0.1.20'], { stateDir: state.dir });
    await cli(['exec', inst, 'client', '--', 'sh', '-c', 'echo x | nc -w1 10.0.1.20 9 || true'], { stateDir: state.dir });
    await new Promise((r) => setTimeout(r, 500));
    cap.kill('SIGINT');
    await new Promise((r) => cap.once('exit', r));
    const read = await runCmd(['tcpdump', '-r', file, '-n']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toMatch(/10\.0\.1\.10 > 10\.0\.1\.20: ICMP echo request/);
    expect(read.stdout).toMatch(/10\.0\.1\.20 > 10\.0\.1\.10: ICMP echo reply/);
    // The filter kept only ICMP: the TCP attempt is not there.
    expect(read.stdout).not.toMatch(/Flags \[S\]/);
    // Through the API, as a student of another copy: not their range.
    expect((await api('GET', `/api/ranges/${inst}/networks/lan/capture?seconds=1`, tokens.stu2 as string)).status).toBe(404);
    const own = await api('GET', `/api/ranges/${inst}/networks/lan/capture?seconds=2&filter=icmp`, tokens.stu1 as string);
    expect(own.status).toBe(200);
    expect(own.raw.subarray(0, 4).toString('hex')).toBe('d4c3b2a1');
  });

  it("pool destroy removes every copy and its students' assignments", async () => {
    const r = await cli(['pool', 'destroy', pool], { stateDir: state.dir, env });
    expect(r.code, r.stderr).toBe(0);
    const left = readFileSync('/proc/self/mountinfo', 'utf8').includes(`cyrange:${pool}-`);
    expect(left).toBe(false);
    const ns = await runCmd(['ip', 'netns', 'list']);
    expect(ns.stdout).not.toContain(`cyr_${pool}-`);
    expect((await api('GET', '/api/ranges', tokens.stu1 as string)).body).toEqual([]);
  }, 180_000);

  describe('reset and snapshots of one range with each runtime', () => {
    const disk = join(state.dir, 'root.ext4');
    beforeAll(async () => {
      // A small root disk for the microVM: its writes go to the per-host overlay, which reset discards.
      const root = join(state.dir, 'diskroot');
      await runCmd(['mkdir', '-p', join(root, 'etc')]);
      writeFileSync(join(root, 'etc', 'issue'), 'disk\n');
      expect((await runCmd(['mkfs.ext4', '-q', '-d', root, disk, '16M'])).code).toBe(0);
      const manifest = JSON.parse(readFileSync(join(ASSETS, 'manifest.json'), 'utf8'));
      const file = join(state.dir, 'one.yaml');
      writeFileSync(
        file,
        `name: one
networks:
  - { name: lan, subnet: 10.74.0.0/24 }
vms:
  - { name: n, interfaces: [{ network: lan, ip: 10.74.0.10 }] }
  - { name: d, runtime: docker, image: cyrange-test/busybox:1, interfaces: [{ network: lan, ip: 10.74.0.11 }] }
  - name: v
    runtime: microvm
    resources: { memory: 160m }
    microvm: { kernel: ${join(ASSETS, manifest.kernel.file)}, initrd: ${join(ASSETS, manifest.initrd.file)}, disk: ${disk} }
    command: [sleep, infinity]
    interfaces: [{ network: lan, ip: 10.74.0.12 }]
`,
      );
      const r = await cli(['deploy', file, '--name', single], { stateDir: state.dir, env });
      expect(r.code, r.stderr).toBe(0);
    }, 240_000);

    // The microVM's command runs in its disk, mounted at /mnt/root by the guest init; exec runs beside it.
    const dirOf = (h: string) => (h === 'v' ? '/mnt/root/keep' : '/keep');
    const write = (h: string, text: string) =>
      cli(['exec', single, h, '--', 'sh', '-c', `mkdir -p ${dirOf(h)} && echo ${text} > ${dirOf(h)}/f && sync`], {
        stateDir: state.dir,
        env,
      });
    const read = async (h: string) =>
      (await cli(['exec', single, h, '--', 'cat', `${dirOf(h)}/f`], { stateDir: state.dir, env })).stdout.trim();
    const macOf = async (h: string) =>
      (await cli(['exec', single, h, '--', 'cat', '/sys/class/net/eth0/address'], { stateDir: state.dir, env })).stdout.trim();

    it('a file written in each host is gone after reset; the host answers at the same IP and MAC', async () => {
      const base = sha256(disk);
      const macs: Record<string, string> = {};
      for (const h of ['n', 'd', 'v']) {
        macs[h] = await macOf(h);
        expect((await write(h, 'before')).code).toBe(0);
        expect(await read(h)).toBe('before');
      }
      for (const h of ['n', 'd', 'v']) {
        const r = await cli(['reset', single, h], { stateDir: state.dir, env });
        expect(r.code, r.stderr).toBe(0);
        expect(await read(h)).toBe('');
        expect(await macOf(h)).toBe(macs[h]);
      }
      for (const ip of ['10.74.0.11', '10.74.0.12'])
        expect((await cli(['exec', single, 'n', '--', 'ping', '-c', '1', '-W', '2', ip], { stateDir: state.dir })).code).toBe(0);
      // The microVM's base disk was never written.
      expect(sha256(disk)).toBe(base);
    }, 240_000);

    it('a snapshot taken after a write, then a reset, then a restore: the file is back', async () => {
      for (const h of ['n', 'd', 'v']) expect((await write(h, 'golden')).code).toBe(0);
      const s = await cli(['snapshot', 'create', single, 'golden'], { stateDir: state.dir, env });
      expect(s.code, s.stderr).toBe(0);
      expect((await cli(['reset', single], { stateDir: state.dir, env })).code).toBe(0);
      for (const h of ['n', 'd', 'v']) expect(await read(h)).toBe('');
      const r = await cli(['snapshot', 'restore', single, 'golden'], { stateDir: state.dir, env });
      expect(r.code, r.stderr).toBe(0);
      for (const h of ['n', 'd', 'v']) expect(await read(h)).toBe('golden');
      const ls = JSON.parse((await cli(['snapshot', 'ls', single, '--json'], { stateDir: state.dir })).stdout);
      expect(ls.map((x: { name: string }) => x.name)).toEqual(['golden']);
    }, 300_000);

    it("two snapshots keep their own writes; snapshot rm removes one and its docker host's image, one a container runs from stays until destroy", async () => {
      const image = (snap: string) => readFileSync(join(state.dir, 'hosts', single, '.snapshots', snap, 'd', 'image'), 'utf8').trim();
      const exists = async (ref: string) => (await runCmd(['docker', 'image', 'inspect', ref])).code === 0;
      for (const h of ['n', 'd', 'v']) expect((await write(h, 'spare')).code).toBe(0);
      const s = await cli(['snapshot', 'create', single, 'spare'], { stateDir: state.dir, env });
      expect(s.code, s.stderr).toBe(0);
      const back = await cli(['snapshot', 'restore', single, 'golden'], { stateDir: state.dir, env });
      expect(back.code, back.stderr).toBe(0);
      for (const h of ['n', 'd', 'v']) expect(await read(h)).toBe('golden');
      const [spare, golden] = [image('spare'), image('golden')];
      expect(spare).not.toBe(golden);
      expect(await exists(spare)).toBe(true);
      for (const snap of ['spare', 'golden']) {
        const r = await cli(['snapshot', 'rm', single, snap], { stateDir: state.dir, env });
        expect(r.code, r.stderr).toBe(0);
      }
      expect(await exists(spare)).toBe(false);
      // Host d was restored from "golden" and still runs from its image.
      expect(await exists(golden)).toBe(true);
      expect(await read('d')).toBe('golden');
      const ls = JSON.parse((await cli(['snapshot', 'ls', single, '--json'], { stateDir: state.dir })).stdout);
      expect(ls).toEqual([]);
    }, 120_000);
  });
});

describe.skipIf(!IS_ROOT)('a pool started from a snapshot', () => {
  const state = tempStateDir();
  const gold = uniqueName('gold');
  const pool = uniqueName('gp').slice(0, 18);
  const run = (...args: string[]) => cli(args, { stateDir: state.dir });
  const read = async (inst: string) => (await run('exec', inst, 'n', '--', 'cat', '/keep/f')).stdout.trim();

  beforeAll(async () => {
    const file = join(state.dir, 'gold.yaml');
    writeFileSync(
      file,
      'name: gold\nnetworks:\n  - { name: lan, subnet: 10.76.0.0/24 }\nvms:\n  - { name: n, interfaces: [{ network: lan }] }\n',
    );
    expect((await run('deploy', file, '--name', gold)).code).toBe(0);
    expect((await run('exec', gold, 'n', '--', 'sh', '-c', 'mkdir -p /keep && echo golden > /keep/f')).code).toBe(0);
    const s = await run('snapshot', 'create', gold, 'v1');
    expect(s.code, s.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await run('pool', 'destroy', pool);
    await run('destroy', gold);
    state.cleanup();
  }, 120_000);

  it('every copy starts from it, those a resize adds too; once it is gone, growing the pool is refused and says why', async () => {
    const made = await run('pool', 'create', '--from-snapshot', `${gold}:v1`, '--name', pool, '--size', '1');
    expect(made.code, made.stderr).toBe(0);
    expect(await read(`${pool}-01`)).toBe('golden');
    const grown = await run('pool', 'resize', pool, '2');
    expect(grown.code, grown.stderr).toBe(0);
    expect(await read(`${pool}-02`)).toBe('golden');
    expect((await run('snapshot', 'rm', gold, 'v1')).code).toBe(0);
    const refused = await run('pool', 'resize', pool, '3');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`starts its copies from snapshot "v1" of "${gold}", which is gone`);
    const ls = JSON.parse((await run('pool', 'inspect', pool, '--json')).stdout);
    expect(ls.members.map((m: { instance: string }) => m.instance)).toEqual([`${pool}-01`, `${pool}-02`]);
  }, 240_000);
});
