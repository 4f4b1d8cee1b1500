import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYRANGE, IS_ROOT, ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const TWO_TIER = join(ROOT, 'examples', 'two-tier-docker.yaml');
const docker = (...args: string[]) => runCmd(['docker', ...args]);

async function dockerUp(): Promise<boolean> {
  if ((await docker('info')).code === 0 && (await docker('image', 'inspect', 'cyrange-test/busybox:1')).code === 0) return true;
  return (await runCmd(['bash', join(ROOT, 'scripts', 'docker-up.sh')])).code === 0;
}

async function ipv4In(stateDir: string, inst: string, host: string): Promise<string[]> {
  const r = await cli(['exec', inst, host, '--', 'ip', '-4', '-o', 'addr', 'show'], { stateDir });
  return [...r.stdout.matchAll(/(eth\d+)\s+inet (\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
}

async function macIn(stateDir: string, inst: string, host: string, ifname: string): Promise<string> {
  const r = await cli(['exec', inst, host, '--', 'cat', `/sys/class/net/${ifname}/address`], { stateDir });
  return r.stdout.trim();
}

const pingFrom = async (stateDir: string, inst: string, host: string, ip: string) =>
  (await cli(['exec', inst, host, '--', 'ping', '-c', '1', '-W', '1', ip], { stateDir })).code === 0;

describe.skipIf(!IS_ROOT)('docker hosts wired into range namespaces', () => {
  const state = tempStateDir();
  const a = uniqueName('dk-a');
  const b = uniqueName('dk-b');
  let networksBefore = '';

  beforeAll(async () => {
    expect(await dockerUp()).toBe(true);
    networksBefore = (await docker('network', 'ls', '--format', '{{.Name}}')).stdout;
    const [ra, rb] = await Promise.all([
      cli(['deploy', TWO_TIER, '--name', a], { stateDir: state.dir }),
      cli(['deploy', TWO_TIER, '--name', b], { stateDir: state.dir }),
    ]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    for (const i of [a, b]) await cli(['destroy', i], { stateDir: state.dir });
    const left = await docker('ps', '-a', '--filter', 'label=cyrange.range', '--format', '{{.Names}}');
    expect(left.stdout.split('\n').filter((n) => n.includes(a) || n.includes(b))).toEqual([]);
    expect(readdirSync('/run/netns').filter((n) => n.startsWith(`cyr_${a}`) || n.startsWith(`cyr_${b}`))).toEqual([]);
    state.cleanup();
  });

  it.each([
    ['web', ['eth0 10.0.2.10/24']],
    ['db', ['eth0 10.0.1.20/24']],
    ['client', ['eth0 10.0.1.10/24']],
  ])('%s has exactly its blueprint IPs inside both containers', async (host, want) => {
    expect(await ipv4In(state.dir, a, host)).toEqual(want);
    expect(await ipv4In(state.dir, b, host)).toEqual(want);
  });

  it.each([
    ['client', '10.0.1.20', true, 'same network'],
    ['client', '10.0.2.10', true, 'lan and dmz are routed'],
    ['web', '10.0.1.30', true, 'docker host reaches a netns host of the same range'],
    ['db', '10.0.1.1', true, 'gateway'],
  ])('connectivity: %s -> %s is %s (%s)', async (from, to, ok) => {
    expect(await pingFrom(state.dir, a, from, to)).toBe(ok);
  });

  it('keeps the two copies apart', async () => {
    const plan = JSON.parse((await cli(['plan', TWO_TIER, '--name', a, '--json'], { stateDir: state.dir })).stdout);
    const peer = plan.hosts.find((h: { name: string }) => h.name === 'web').interfaces[0].peer as string;
    await runCmd(['ip', '-n', `cyr_${a}`, 'link', 'set', peer, 'down']);
    try {
      expect(await pingFrom(state.dir, a, 'client', '10.0.2.10')).toBe(false);
      expect(await pingFrom(state.dir, b, 'client', '10.0.2.10')).toBe(true);
    } finally {
      await runCmd(['ip', '-n', `cyr_${a}`, 'link', 'set', peer, 'up']);
    }
  });

  it('creates no Docker network and uses network none', async () => {
    expect((await docker('network', 'ls', '--format', '{{.Name}}')).stdout).toBe(networksBefore);
    const mode = await docker('inspect', '-f', '{{.HostConfig.NetworkMode}}', `cyr_${a}_web`);
    expect(mode.stdout.trim()).toBe('none');
  });

  it('applies memory and CPU limits from the blueprint', async () => {
    const r = await docker('inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}', `cyr_${a}_db`);
    expect(r.stdout.trim()).toBe(`${64 * 1024 * 1024} 500000000`);
    // The kernel enforces it: the container's cgroup carries the limit.
    const limit = await cli(['exec', a, 'db', '--', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'], { stateDir: state.dir });
    const v2 = await cli(['exec', a, 'db', '--', 'cat', '/sys/fs/cgroup/memory.max'], { stateDir: state.dir });
    expect([limit.stdout.trim(), v2.stdout.trim()]).toContain(String(64 * 1024 * 1024));
  });

  it('re-wires a container restarted behind its back, with the same IPs and MACs', async () => {
    const mac = await macIn(state.dir, a, 'db', 'eth0');
    expect((await docker('restart', '-t', '1', `cyr_${a}_db`)).code).toBe(0);
    const back = await waitFor(async () => (await ipv4In(state.dir, a, 'db')).join() === 'eth0 10.0.1.20/24', 10_000, 200);
    expect(back).toBe(true);
    expect(await macIn(state.dir, a, 'db', 'eth0')).toBe(mac);
    expect(await pingFrom(state.dir, a, 'db', '10.0.1.10')).toBe(true);
  });

  it('nic add / nic rm change a running host, and inspect and the store agree', async () => {
    expect(await pingFrom(state.dir, a, 'db', '10.0.2.10')).toBe(true); // routed via lan gateway
    const add = await cli(['nic', 'add', a, 'client', 'dmz', '--json'], { stateDir: state.dir });
    expect(add.code, add.stderr).toBe(0);
    const nic = JSON.parse(add.stdout);
    expect(nic).toMatchObject({ network: 'dmz', ifname: 'eth1', ip: '10.0.2.11' });
    expect(await ipv4In(state.dir, a, 'client')).toEqual(['eth0 10.0.1.10/24', 'eth1 10.0.2.11/24']);
    expect(await pingFrom(state.dir, a, 'web', '10.0.2.11')).toBe(true);
    let ins = JSON.parse((await cli(['inspect', a, '--json'], { stateDir: state.dir })).stdout);
    let client = ins.hosts.find((h: { name: string }) => h.name === 'client');
    expect(
      client.interfaces.map((n: { network: string; ip: string; observed: { ipv4: string[] } }) => [n.network, n.ip, n.observed?.ipv4]),
    ).toEqual([
      ['lan', '10.0.1.10', ['10.0.1.10/24']],
      ['dmz', '10.0.2.11', ['10.0.2.11/24']],
    ]);
    // Same rules as a blueprint: duplicate network, taken IP, primary removal.
    expect((await cli(['nic', 'add', a, 'client', 'dmz'], { stateDir: state.dir })).code).toBe(2);
    expect((await cli(['nic', 'add', a, 'db', 'dmz', '--ip', '10.0.2.10'], { stateDir: state.dir })).code).toBe(2);
    const rmPrimary = await cli(['nic', 'rm', a, 'client', 'lan'], { stateDir: state.dir });
    expect(rmPrimary.code).toBe(1);
    expect(rmPrimary.stderr).toContain('primary interface');
    expect((await cli(['nic', 'rm', a, 'client', 'dmz'], { stateDir: state.dir })).code).toBe(0);
    expect(await ipv4In(state.dir, a, 'client')).toEqual(['eth0 10.0.1.10/24']);
    expect(await pingFrom(state.dir, a, 'web', '10.0.2.11')).toBe(false);
    ins = JSON.parse((await cli(['inspect', a, '--json'], { stateDir: state.dir })).stdout);
    client = ins.hosts.find((h: { name: string }) => h.name === 'client');
    expect(client.interfaces.map((n: { network: string }) => n.network)).toEqual(['lan']);
  });

  it('host stop and start keep the same addresses', async () => {
    expect((await cli(['host', 'stop', a, 'web'], { stateDir: state.dir })).code).toBe(0);
    expect(await pingFrom(state.dir, a, 'client', '10.0.2.10')).toBe(false);
    expect((await cli(['host', 'start', a, 'web'], { stateDir: state.dir })).code).toBe(0);
    expect(await ipv4In(state.dir, a, 'web')).toEqual(['eth0 10.0.2.10/24']);
    // The range's ARP entry for the stopped host failed meanwhile; it resolves on the next tries.
    expect(await waitFor(() => pingFrom(state.dir, a, 'client', '10.0.2.10'), 15_000)).toBe(true);
  });

  it('a failed image pull names the host and the image, and rolls back', async () => {
    const inst = uniqueName('dk-pull');
    const file = join(state.dir, 'pull.yaml');
    // A registry on a closed local port: the pull fails at once and no traffic leaves the machine.
    writeFileSync(
      file,
      'name: pull\nnetworks: [{ name: lan, subnet: 10.8.0.0/24 }]\nvms:\n  - { name: ok, interfaces: [{ network: lan }] }\n  - { name: kali, runtime: docker, image: "127.0.0.1:9/nope/kali:1", interfaces: [{ network: lan }] }\n',
    );
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('host "kali": pull of image "127.0.0.1:9/nope/kali:1" failed');
    expect(readdirSync('/run/netns').filter((n) => n.startsWith(`cyr_${inst}`))).toEqual([]);
  });

  it('exec passes the exit code through', async () => {
    expect((await cli(['exec', a, 'web', '--', 'sh', '-c', 'exit 9'], { stateDir: state.dir })).code).toBe(9);
  });

  it('gc after a SIGKILL mid-deploy removes containers, namespaces and links', async () => {
    const inst = uniqueName('dk-crash');
    const file = join(state.dir, 'crash.yaml');
    const vms = Array.from({ length: 8 }, (_, i) => `  - { name: c${i}, plugin: box, interfaces: [{ network: lan }] }`).join('\n');
    writeFileSync(
      file,
      `name: crash\nplugins:\n  box: { runtime: docker, image: "cyrange-test/busybox:1" }\nnetworks:\n  - { name: lan, subnet: 10.7.0.0/24 }\nvms:\n${vms}\n`,
    );
    const child = spawn(CYRANGE, ['deploy', file, '--name', inst], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir },
      stdio: 'ignore',
    });
    const started = await waitFor(
      async () => (await docker('ps', '-aq', '--filter', `label=cyrange.range=${inst}`)).stdout.trim().length > 0,
      20_000,
      20,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(started).toBe(true);
    const gc = await cli(['gc', '--json'], { stateDir: state.dir });
    expect(gc.code, gc.stderr).toBe(0);
    expect((await docker('ps', '-aq', '--filter', `label=cyrange.range=${inst}`)).stdout.trim()).toBe('');
    expect(readdirSync('/run/netns').filter((n) => n.startsWith(`cyr_${inst}`))).toEqual([]);
    expect(existsSync(join(state.dir, 'run', inst))).toBe(false);
  });
});
