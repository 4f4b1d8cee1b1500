import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, ROOT, cli, inNs, pings, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const FIREWALL = join(ROOT, 'examples', 'firewall.yaml');
const ns = (instance: string, host?: string) => (host ? `cyr_${instance}_${host}` : `cyr_${instance}`);

async function ipv4Of(netns: string): Promise<Record<string, string[]>> {
  const r = await inNs(netns, ['ip', '-json', 'addr', 'show']);
  const links = JSON.parse(r.stdout) as Array<{
    ifname: string;
    address: string;
    addr_info: Array<{ family: string; local: string; prefixlen: number }>;
  }>;
  return Object.fromEntries(
    links
      .filter((l) => l.ifname !== 'lo')
      .map((l) => [l.ifname, l.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`)]),
  );
}

async function rootSnapshot(): Promise<string> {
  const parts = await Promise.all([
    runCmd(['ip', '-json', 'addr', 'show']),
    runCmd(['ip', '-json', 'route', 'show', 'table', 'all']),
    runCmd(['nft', 'list', 'ruleset']),
    runCmd(['sysctl', 'net.ipv4.ip_forward']),
  ]);
  return parts.map((p) => p.stdout).join('\n--\n');
}

describe.skipIf(!IS_ROOT)('netns ranges on the real kernel', () => {
  const state = tempStateDir();
  const a = uniqueName('fw-a');
  const b = uniqueName('fw-b');
  let rootBefore = '';

  beforeAll(async () => {
    rootBefore = await rootSnapshot();
    // Two copies of one blueprint, same subnets and IPs, deployed at the same time.
    const [ra, rb] = await Promise.all([
      cli(['deploy', FIREWALL, '--name', a], { stateDir: state.dir }),
      cli(['deploy', FIREWALL, '--name', b], { stateDir: state.dir }),
    ]);
    expect(ra.stderr + ra.stdout).toContain(`deployed ${a}`);
    expect(rb.stderr + rb.stdout).toContain(`deployed ${b}`);
  });

  afterAll(async () => {
    await cli(['destroy', a], { stateDir: state.dir });
    await cli(['destroy', b], { stateDir: state.dir });
    expect(await rootSnapshot()).toBe(rootBefore);
    state.cleanup();
  });

  it.each([
    ['fw', { eth0: ['10.0.0.2/24'], eth1: ['10.0.1.2/24'], eth2: ['10.0.2.2/24'] }],
    ['web', { eth0: ['10.0.2.10/24'] }],
    ['ws2', { eth0: ['10.0.1.10/24'] }],
    ['attacker', { eth0: ['10.0.0.66/24'] }],
  ])('host %s has exactly its blueprint IPs in both copies', async (host, want) => {
    expect(await ipv4Of(ns(a, host))).toEqual(want);
    expect(await ipv4Of(ns(b, host))).toEqual(want);
  });

  it('gives MACs from the plan and names NICs eth0.. in order', async () => {
    const plan = JSON.parse((await cli(['plan', FIREWALL, '--name', a, '--json'], { stateDir: state.dir })).stdout);
    const fw = plan.hosts.find((h: { name: string }) => h.name === 'fw');
    const links = JSON.parse((await inNs(ns(a, 'fw'), ['ip', '-json', 'link', 'show'])).stdout) as Array<{
      ifname: string;
      address: string;
    }>;
    for (const nic of fw.interfaces) expect(links.find((l) => l.ifname === nic.ifname)?.address).toBe(nic.mac);
  });

  it.each([
    // [from, to, reachable, why]
    ['ws2', '10.0.1.2', true, 'same network (lan)'],
    ['web', '10.0.2.2', true, 'same network (dmz)'],
    ['attacker', '10.0.0.2', true, 'same network (wan)'],
    ['ws2', '10.0.2.10', true, 'lan and dmz are routed'],
    ['web', '10.0.1.10', true, 'routed both ways'],
    ['attacker', '10.0.1.10', false, 'wan is not routed to lan'],
    ['ws2', '10.0.0.66', false, 'lan is not routed to wan'],
    ['web', '10.0.0.66', false, 'dmz is not routed to wan'],
    ['fw', '10.0.0.66', true, 'multi-homed host reaches wan'],
    ['fw', '10.0.1.10', true, 'multi-homed host reaches lan'],
    ['fw', '10.0.2.10', true, 'multi-homed host reaches dmz'],
    ['ws2', '10.0.1.1', true, 'gateway answers'],
  ])('connectivity: %s -> %s is %s (%s)', async (from, to, ok) => {
    expect(await pings(ns(a, from), to)).toBe(ok);
  });

  it("keeps instances apart: taking down A's copy of an IP leaves B's answering only in B", async () => {
    const plan = JSON.parse((await cli(['plan', FIREWALL, '--name', a, '--json'], { stateDir: state.dir })).stdout);
    const peer = plan.hosts.find((h: { name: string }) => h.name === 'web').interfaces[0].peer as string;
    // Unplug A's web from its switch port; B's web has the same IP and MAC and stays.
    await runCmd(['ip', '-n', ns(a), 'link', 'set', peer, 'down']);
    try {
      expect(await pings(ns(a, 'ws2'), '10.0.2.10')).toBe(false);
      expect(await pings(ns(b, 'ws2'), '10.0.2.10')).toBe(true);
    } finally {
      await runCmd(['ip', '-n', ns(a), 'link', 'set', peer, 'up']);
    }
    expect(await waitFor(() => pings(ns(a, 'ws2'), '10.0.2.10'), 5000)).toBe(true);
  });

  it('gives a range no path to the root namespace', async () => {
    const routes = JSON.parse((await runCmd(['ip', '-n', ns(a), '-json', 'route', 'show'])).stdout) as Array<{ dst: string }>;
    expect(routes.map((r) => r.dst)).not.toContain('default');
    const links = JSON.parse((await runCmd(['ip', '-n', ns(a), '-json', '-d', 'link', 'show'])).stdout) as Array<{
      ifname: string;
      link_netnsid?: number;
      linkinfo?: { info_kind: string };
    }>;
    // Every veth in the range namespace leads to a host namespace of this range, never to the root.
    const peers = (await runCmd(['ip', '-n', ns(a), '-json', 'netns', 'list-id'])).stdout;
    const ids = JSON.parse(peers || '[]') as Array<{ nsid: number; name?: string }>;
    for (const l of links.filter((x) => x.linkinfo?.info_kind === 'veth')) {
      const peer = ids.find((i) => i.nsid === l.link_netnsid);
      expect(peer?.name ?? '', `${l.ifname} peer`).toMatch(new RegExp(`^cyr_${a}_`));
    }
    expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()).toBe(rootBefore.includes('ip_forward = 1') ? '1' : '0');
  });

  it('gives a dhcp host an address from its network pool, and it reaches the gateway', async () => {
    const addr = await waitFor(async () => (await ipv4Of(ns(a, 'ws1'))).eth0?.[0], 15_000);
    expect(addr).toMatch(/^10\.0\.1\.(1[2-9][0-9]|2[0-5][0-9])\/24$/);
    expect(await pings(ns(a, 'ws1'), '10.0.1.1')).toBe(true);
  });

  it('inspect shows every interface with network, IP, MAC and link state', async () => {
    const r = JSON.parse((await cli(['inspect', a, '--json'], { stateDir: state.dir })).stdout);
    expect(r.status).toBe('running');
    const fw = r.hosts.find((h: { name: string }) => h.name === 'fw');
    expect(fw.state).toBe('running');
    expect(
      fw.interfaces.map((n: { network: string; ip: string; observed: { state: string } }) => [n.network, n.ip, n.observed.state]),
    ).toEqual([
      ['wan', '10.0.0.2', 'UP'],
      ['lan', '10.0.1.2', 'UP'],
      ['dmz', '10.0.2.2', 'UP'],
    ]);
  });

  it('ls lists both instances', async () => {
    const rows = JSON.parse((await cli(['ls', '--json'], { stateDir: state.dir })).stdout) as Array<{ instance: string; status: string }>;
    expect(rows.filter((r) => r.instance === a || r.instance === b).map((r) => r.status)).toEqual(['running', 'running']);
  });

  it('exec passes stdin, stdout and the exit code through', async () => {
    const r = await cli(['exec', a, 'web', '--', 'sh', '-c', 'cat; ip -4 -o addr show dev eth0; exit 7'], {
      stateDir: state.dir,
      input: 'hello\n',
    });
    expect(r.code).toBe(7);
    expect(r.stdout).toContain('hello');
    expect(r.stdout).toContain('10.0.2.10/24');
  });

  it('a second deploy of the same instance changes nothing and says so', async () => {
    const r = await cli(['deploy', FIREWALL, '--name', a], { stateDir: state.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing changed');
  });

  it('reports a host whose process died as stopped, and deploy repairs it', async () => {
    const pid = Number(readFileSync(join(state.dir, 'run', a, 'web.pid'), 'utf8').split(' ')[0]);
    process.kill(pid, 'SIGKILL');
    const stopped = await waitFor(async () => {
      const r = JSON.parse((await cli(['inspect', a, '--json'], { stateDir: state.dir })).stdout);
      return r.hosts.find((h: { name: string }) => h.name === 'web').state === 'stopped';
    }, 5000);
    expect(stopped).toBe(true);
    const r = await cli(['deploy', FIREWALL, '--name', a], { stateDir: state.dir });
    expect(r.code).toBe(0);
    const after = JSON.parse((await cli(['inspect', a, '--json'], { stateDir: state.dir })).stdout);
    expect(after.hosts.find((h: { name: string }) => h.name === 'web').state).toBe('running');
  });

  it('host stop/start/restart keeps the NICs', async () => {
    expect((await cli(['host', 'stop', a, 'ws2'], { stateDir: state.dir })).code).toBe(0);
    let r = JSON.parse((await cli(['inspect', a, '--json'], { stateDir: state.dir })).stdout);
    expect(r.hosts.find((h: { name: string }) => h.name === 'ws2').state).toBe('stopped');
    expect((await cli(['host', 'restart', a, 'ws2'], { stateDir: state.dir })).code).toBe(0);
    r = JSON.parse((await cli(['inspect', a, '--json'], { stateDir: state.dir })).stdout);
    expect(r.hosts.find((h: { name: string }) => h.name === 'ws2').state).toBe('running');
    expect(await pings(ns(a, 'ws2'), '10.0.1.2')).toBe(true);
  });

  it('destroy leaves no namespace, process or run file, and a second destroy still succeeds', async () => {
    const c = uniqueName('fw-c');
    expect((await cli(['deploy', FIREWALL, '--name', c], { stateDir: state.dir })).code).toBe(0);
    expect((await cli(['destroy', c], { stateDir: state.dir })).code).toBe(0);
    expect(readdirSync('/run/netns').filter((n) => n.startsWith(`cyr_${c}`))).toEqual([]);
    expect(existsSync(join(state.dir, 'run', c))).toBe(false);
    const again = await cli(['destroy', c], { stateDir: state.dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was not deployed');
  });
});
