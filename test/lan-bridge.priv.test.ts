import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, inNs, pings, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

/**
 * A fake LAN made of test namespaces only: a "router" with its own dnsmasq, and a "machine" whose
 * "physical NIC" is a veth to it. The machine's real interfaces are never touched.
 */
describe.skipIf(!IS_ROOT)('bridged onto a LAN (egress: bridge) and cyrange host-bridge', () => {
  const state = tempStateDir();
  const router = uniqueName('rt');
  const machine = uniqueName('mach');
  const inst = uniqueName('lan');
  let dnsmasq: ChildProcess;
  const env = () => ({ CYRANGE_HOST_BRIDGE_NETNS: machine });
  const addrs = async (dev: string) =>
    (JSON.parse((await runCmd(['ip', '-n', machine, '-json', 'addr', 'show', 'dev', dev])).stdout)[0]?.addr_info ?? [])
      .filter((a: { family: string }) => a.family === 'inet')
      .map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`);
  const macOf = async (dev: string): Promise<string> =>
    JSON.parse((await runCmd(['ip', '-n', machine, '-json', 'link', 'show', 'dev', dev])).stdout)[0]?.address;

  beforeAll(async () => {
    for (const n of [router, machine]) await runCmd(['ip', 'netns', 'add', n]);
    await runCmd(['ip', '-n', router, 'link', 'add', 'rt0', 'type', 'veth', 'peer', 'name', 'phys0', 'netns', machine]);
    await runCmd(['ip', '-n', router, 'addr', 'add', '192.168.77.1/24', 'dev', 'rt0']);
    await runCmd(['ip', '-n', router, 'link', 'set', 'rt0', 'up']);
    await runCmd(['ip', '-n', machine, 'addr', 'add', '192.168.77.5/24', 'dev', 'phys0']);
    await runCmd(['ip', '-n', machine, 'link', 'set', 'phys0', 'up']);
    await runCmd(['ip', '-n', machine, 'route', 'add', 'default', 'via', '192.168.77.1']);
    dnsmasq = spawn(
      'nsenter',
      [
        `--net=/run/netns/${router}`,
        '--',
        'dnsmasq',
        '--keep-in-foreground',
        '--conf-file=/dev/null',
        '--port=0',
        '--no-resolv',
        '--bind-interfaces',
        '--interface=rt0',
        '--dhcp-broadcast',
        '--no-ping',
        `--dhcp-leasefile=${join(state.dir, 'lan.leases')}`,
        '--dhcp-range=192.168.77.100,192.168.77.150,255.255.255.0,600',
        '--dhcp-option=option:router,192.168.77.1',
      ],
      { stdio: 'ignore' },
    );
  });

  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir, env: env() });
    dnsmasq?.kill('SIGKILL');
    for (const n of [router, machine]) await runCmd(['ip', 'netns', 'del', n]);
    state.cleanup();
  });

  it('host-bridge setup --dry-run prints the plan and changes nothing', async () => {
    const r = await cli(['host-bridge', 'setup', 'hbr0', 'phys0', '--netns', machine, '--dry-run', '--netplan'], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`ip -n ${machine} link add hbr0 address ([0-9a-f]{2}:){5}[0-9a-f]{2} type bridge`));
    expect(r.stdout).toContain(`ip -n ${machine} addr add 192.168.77.5/24 dev hbr0`);
    expect(r.stdout).toContain('then check that 192.168.77.1 still answers');
    expect(r.stdout).toMatch(/bridges:\n {4}hbr0:\n {6}interfaces: \[phys0\]/);
    expect(await addrs('phys0')).toEqual(['192.168.77.5/24']);
  });

  it('refuses a bridge name that is already taken, changing nothing', async () => {
    // A link of another kind already holds the name, so creating the bridge fails.
    await runCmd(['ip', '-n', machine, 'link', 'add', 'hbr1', 'type', 'veth', 'peer', 'name', 'hbr1p']);
    try {
      const r = await cli(['host-bridge', 'setup', 'hbr1', 'phys0', '--netns', machine], { stateDir: state.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('hbr1 already exists');
      expect(await addrs('phys0')).toEqual(['192.168.77.5/24']);
      expect(await pings(machine, '192.168.77.1')).toBe(true);
    } finally {
      await runCmd(['ip', '-n', machine, 'link', 'del', 'hbr1']);
    }
  });

  it('moves the address and route onto the bridge and keeps the gateway reachable', async () => {
    const r = await cli(['host-bridge', 'setup', 'hbr0', 'phys0', '--netns', machine], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('gateway 192.168.77.1 answers');
    expect(await addrs('hbr0')).toEqual(['192.168.77.5/24']);
    expect(await addrs('phys0')).toEqual([]);
    expect(await pings(machine, '192.168.77.1')).toBe(true);
    // The bridge carries the NIC's MAC, so the LAN keeps knowing the machine by it.
    expect(await macOf('hbr0')).toBe(await macOf('phys0'));
  });

  it("a range network joined to it gets addresses from the LAN's own DHCP server", async () => {
    const file = join(state.dir, 'lan.yaml');
    writeFileSync(
      file,
      [
        'name: lan',
        'networks:',
        '  - { name: office, subnet: 192.168.77.0/24, gateway: 192.168.77.1, egress: bridge, host_bridge: hbr0 }',
        'vms:',
        '  - { name: ws, network: { mode: dhcp }, interfaces: [{ network: office }] }',
        '  - { name: st, interfaces: [{ network: office, ip: 192.168.77.60 }] }',
      ].join('\n'),
    );
    const d = await cli(['deploy', file, '--name', inst], { stateDir: state.dir, env: env() });
    expect(d.code, d.stderr).toBe(0);
    const leased = await waitFor(async () => {
      const out = await inNs(`cyr_${inst}_ws`, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      return /inet 192\.168\.77\.1[0-4]\d\/24/.exec(out.stdout)?.[0];
    }, 15_000);
    expect(leased).toBeTruthy();
    expect(await pings(`cyr_${inst}_ws`, '192.168.77.1')).toBe(true);
    expect(await pings(`cyr_${inst}_st`, '192.168.77.1')).toBe(true);
    expect(await pings(`cyr_${inst}_st`, '192.168.77.5')).toBe(true);
    // A range's port on the bridge does not change the bridge's MAC.
    expect(await macOf('hbr0')).toBe(await macOf('phys0'));
  });

  it('host-bridge teardown gives the NIC its address back', async () => {
    await cli(['destroy', inst], { stateDir: state.dir, env: env() });
    const r = await cli(['host-bridge', 'teardown', 'hbr0', 'phys0', '--netns', machine], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await addrs('phys0')).toEqual(['192.168.77.5/24']);
    expect(await pings(machine, '192.168.77.1')).toBe(true);
  });
});
