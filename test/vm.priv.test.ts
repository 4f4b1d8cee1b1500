// Standalone VMs (`cyrange vm`): created and started from seed-style flags, changed between modes, removed.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const ASSETS = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';

interface VmRow {
  name: string;
  runtime: string;
  mode: string;
  network: string | null;
  ip: string | null;
  status: string;
}

describe.skipIf(!IS_ROOT)('cyrange vm: standalone hosts that run', () => {
  const state = tempStateDir();
  const made: string[] = [];
  const run = (...args: string[]) => cli(args, { stateDir: state.dir });
  const name = (base: string) => {
    const n = uniqueName(base);
    made.push(n);
    return n;
  };
  const sh = (vm: string, script: string) => run('exec', vm, vm, '--', 'sh', '-c', script);
  const ls = async () => JSON.parse((await run('vm', 'ls', '--json')).stdout) as VmRow[];
  const addrs = async (vm: string) => (await sh(vm, 'ip -4 -o addr show scope global | awk \'{print $2" "$4}\'')).stdout.trim();

  afterAll(async () => {
    for (const n of made) await run('vm', 'rm', n);
    state.cleanup();
  });

  const bridged = name('vmb');
  it('bridged: created and started with the address the flags describe', async () => {
    const r = await run(
      'vm',
      'create',
      bridged,
      '--network-mode',
      'bridged',
      '--network-subnet',
      '10.100.0.0/24',
      '--network-gateway',
      '10.100.0.1',
      '--network-auto-assign',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: bridged,
      status: 'running',
      network: { mode: 'bridged', subnet: '10.100.0.0/24', auto_assign: true },
      interfaces: [{ ip: '10.100.0.10', gateway: '10.100.0.1' }],
    });
    expect(await addrs(bridged)).toBe('eth0 10.100.0.10/24');
    expect((await sh(bridged, 'ip route show default')).stdout).toContain('default via 10.100.0.1 dev eth0');
    // The gateway is the range side of its own network.
    expect((await sh(bridged, 'ping -c 1 -W 2 -q 10.100.0.1')).code).toBe(0);
    expect(await ls()).toContainEqual({
      name: bridged,
      runtime: 'netns',
      mode: 'bridged',
      network: '10.100.0.0/24',
      ip: '10.100.0.10',
      status: 'running',
    });
    // The name is taken now.
    const again = await run('vm', 'create', bridged, '--network-subnet', '10.100.0.0/24');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('vm set bridged → vsock releases the NIC and its address; the host keeps its data', async () => {
    expect((await sh(bridged, 'echo kept > /root/mark')).code).toBe(0);
    const r = await run('vm', 'set', bridged, '--network-mode', 'vsock');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('network mode bridged → vsock');
    expect((await sh(bridged, 'ls /sys/class/net')).stdout.trim()).toBe('lo');
    expect((await sh(bridged, 'cat /root/mark')).stdout.trim()).toBe('kept');
    expect((await ls()).find((v) => v.name === bridged)).toMatchObject({ mode: 'vsock', ip: null, status: 'running' });
    const inspect = JSON.parse((await run('inspect', bridged, '--json')).stdout);
    expect(inspect.hosts[0]).toMatchObject({ mode: 'vsock', interfaces: [] });
  });

  it('vm set vsock → bridged allocates them again', async () => {
    const r = await run('vm', 'set', bridged, '--network-mode', 'bridged');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('network mode vsock → bridged');
    expect(await addrs(bridged)).toBe('eth0 10.100.0.10/24');
    expect((await sh(bridged, 'ping -c 1 -W 2 -q 10.100.0.1')).code).toBe(0);
    expect((await sh(bridged, 'cat /root/mark')).stdout.trim()).toBe('kept');
    expect((await ls()).find((v) => v.name === bridged)).toMatchObject({ mode: 'bridged', ip: '10.100.0.10' });
  });

  it('dhcp: the host leases its address from its network', async () => {
    const vm = name('vmd');
    const r = await run('vm', 'create', vm, '--network-mode', 'dhcp', '--network-subnet', '10.101.0.0/24');
    expect(r.code, r.stderr).toBe(0);
    const leased = await waitFor(async () => /^eth0 10\.101\.0\.(1[2-9][0-9]|2[0-5][0-9])\/24$/.test(await addrs(vm)), 20_000, 500);
    expect(leased, await addrs(vm)).toBe(true);
    expect((await ls()).find((v) => v.name === vm)).toMatchObject({ mode: 'dhcp', ip: 'dhcp', status: 'running' });
  });

  it('vsock: no NIC at all, exec over the host-local channel; vm set gives it a network later', async () => {
    const vm = name('vmv');
    const r = await run('vm', 'create', vm, '--network-mode', 'vsock');
    expect(r.code, r.stderr).toBe(0);
    expect((await sh(vm, 'ls /sys/class/net; exit 3')).code).toBe(3);
    expect((await sh(vm, 'ls /sys/class/net')).stdout.trim()).toBe('lo');
    const refused = await run('vm', 'set', vm, '--network-mode', 'bridged');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--network-subnet');
    const set = await run('vm', 'set', vm, '--network-mode', 'bridged', '--network-subnet', '10.103.0.0/24', '--ip', '10.103.0.7');
    expect(set.code, set.stderr).toBe(0);
    expect(await addrs(vm)).toBe('eth0 10.103.0.7/24');
  });

  it('plugin defaults apply and flags override them field by field', async () => {
    const plugins = join(state.dir, 'plugins.yaml');
    writeFileSync(
      plugins,
      'plugins:\n  lab:\n    runtime: netns\n    command: [sleep, infinity]\n    network: { mode: bridged, subnet: 10.102.0.0/24, gateway: 10.102.0.1 }\n',
    );
    const vm = name('vmp');
    const r = await run('vm', 'create', vm, '--plugin', 'lab', '--plugins', plugins, '--network-gateway', '10.102.0.254', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ plugin: 'lab', interfaces: [{ ip: '10.102.0.10', gateway: '10.102.0.254' }] });
    expect((await sh(vm, 'ip route show default')).stdout).toContain('default via 10.102.0.254');
  });

  it.skipIf(!existsSync(join(ASSETS, 'manifest.json')))(
    '--runtime microvm: a guest kernel with the address from the flags',
    async () => {
      const vm = name('vmm');
      const r = await cli(
        [
          'vm',
          'create',
          vm,
          '--runtime',
          'microvm',
          '--network-mode',
          'bridged',
          '--network-subnet',
          '10.104.0.0/24',
          '--network-auto-assign',
        ],
        { stateDir: state.dir, env: { CYRANGE_MICROVM_ASSETS: ASSETS } },
      );
      expect(r.code, r.stderr).toBe(0);
      const out = await cli(['exec', vm, vm, '--', 'ip', '-4', 'addr', 'show', 'eth0'], {
        stateDir: state.dir,
        env: { CYRANGE_MICROVM_ASSETS: ASSETS },
      });
      expect(out.stdout).toContain('10.104.0.10/24');
    },
    180_000,
  );

  it('vm rm removes a host and everything it owns; ls no longer shows it', async () => {
    const r = await run('vm', 'rm', bridged);
    expect(r.code, r.stderr).toBe(0);
    expect((await ls()).map((v) => v.name)).not.toContain(bridged);
    expect((await runCmd(['ip', 'netns', 'list'])).stdout).not.toContain(`cyr_${bridged}`);
    const gone = await run('vm', 'rm', bridged);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`no standalone host "${bridged}"`);
  });
});
