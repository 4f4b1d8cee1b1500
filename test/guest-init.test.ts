import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ResolvedHost, renderKernelCmdline, renderNetplan, resolveRange } from '../src/model/index.js';
import { ROOT } from './helpers.js';

const NETCFG = join(ROOT, 'libexec', 'microvm', 'netcfg.sh');

/**
 * Runs the guest init's network set-up under busybox sh on this machine, against a fake
 * /sys/class/net, with every change printed instead of made. Returns the commands, in order.
 */
function plan(cmdline: string, links: Record<string, string>, metadata?: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'netcfg-'));
  dirs.push(dir);
  for (const [name, mac] of Object.entries(links)) {
    mkdirSync(join(dir, 'sys', name), { recursive: true });
    writeFileSync(join(dir, 'sys', name, 'address'), mac);
  }
  const fetch = join(dir, 'fetch.sh');
  writeFileSync(fetch, metadata === undefined ? 'exit 1\n' : `cat <<'EOF'\n${metadata}EOF\n`);
  const out = execFileSync('busybox', ['sh', '-c', `. ${NETCFG}; netcfg_apply "$1"`, 'sh', cmdline], {
    env: {
      PATH: process.env.PATH,
      NETCFG_RUN: 'echo',
      NETCFG_SYS: join(dir, 'sys'),
      NETCFG_LIB: '/lib/cyrange',
      NETCFG_FETCH: `sh ${fetch}`,
    },
    encoding: 'utf8',
  });
  return out.trim().split('\n').filter(Boolean);
}
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

describe('guest init network set-up (libexec/microvm/netcfg.sh)', () => {
  it('names NICs by MAC, even when the kernel named them the other way round', () => {
    const cmds = plan(`cyrange.mac=eth0,${A} cyrange.mac=eth1,${B}`, { eth0: B, eth1: A, lo: '00:00:00:00:00:00' });
    expect(cmds.filter((c) => c.includes(' name '))).toEqual([
      'ip link set dev eth1 name cyrtmp0',
      'ip link set dev eth0 name cyrtmp1',
      'ip link set dev cyrtmp0 name eth0',
      'ip link set dev cyrtmp1 name eth1',
    ]);
  });

  it('applies ip= in the kernel field order: address, netmask as a prefix, gateway, host name, device, DNS', () => {
    const cmds = plan(
      `ip=10.0.0.5::10.0.0.1:255.255.255.0:web:eth0:off:9.9.9.9 ip=10.1.0.5:::255.255.0.0::eth1:off cyrange.mac=eth0,${A} cyrange.mac=eth1,${B}`,
      {
        eth0: A,
        eth1: B,
      },
    );
    expect(cmds).toContain('ip addr add 10.0.0.5/24 dev eth0');
    expect(cmds).toContain('ip route replace default via 10.0.0.1 dev eth0');
    expect(cmds).toContain('hostname web');
    expect(cmds).toContain('sh -c echo nameserver 9.9.9.9 >> /etc/resolv.conf');
    expect(cmds).toContain('ip addr add 10.1.0.5/16 dev eth1');
    expect(cmds.filter((c) => c.startsWith('ip route'))).toHaveLength(1);
  });

  it('runs udhcpc for ip=dhcp, DEV:dhcp and the dhcp autoconf field; the primary takes the default route', () => {
    for (const arg of ['ip=dhcp', 'ip=eth0:dhcp', 'ip=:::::eth0:dhcp']) {
      const cmds = plan(`${arg} cyrange.mac=eth0,${A}`, { eth0: A });
      const dhcp = cmds.filter((c) => c.startsWith('udhcpc'));
      expect(dhcp, arg).toHaveLength(1);
      expect(dhcp[0]).toContain('-i eth0');
      expect(dhcp[0]).toContain('-s /lib/cyrange/udhcpc-script');
    }
  });

  it("falls back to the metadata service's network-config for NICs no ip= names, matched by MAC", () => {
    const range = resolveRange(
      {
        name: 'md',
        networks: [
          { name: 'lan', subnet: '10.5.0.0/24' },
          { name: 'dmz', subnet: '10.6.0.0/24' },
        ],
        vms: [
          {
            name: 'vm',
            runtime: 'microvm',
            interfaces: [
              { network: 'lan', ip: '10.5.0.9' },
              { network: 'dmz', ip: '10.6.0.9' },
            ],
          },
        ],
      },
      { instance: 'md' },
    );
    const host = range.hosts[0] as ResolvedHost;
    const [lan, dmz] = host.interfaces;
    // Only the primary has an ip= argument; the metadata service tells the rest.
    const cmds = plan(
      `ip=10.5.0.9::10.5.0.1:24::eth0:off cyrange.mac=eth0,${lan?.mac} cyrange.mac=eth1,${dmz?.mac}`,
      {
        eth0: lan?.mac ?? '',
        eth1: dmz?.mac ?? '',
      },
      renderNetplan(range, host),
    );
    expect(cmds).toContain('ip addr add 10.6.0.9/24 dev eth1');
    expect(cmds.filter((c) => c.includes('10.5.0.9'))).toEqual(['ip addr add 10.5.0.9/24 dev eth0']);
  });

  it('takes the default route from the network-config it is served (to: 0.0.0.0/0), and no other route', () => {
    const range = resolveRange(
      {
        name: 'gw',
        networks: [
          { name: 'lan', subnet: '10.5.0.0/24' },
          { name: 'dmz', subnet: '10.6.0.0/24' },
        ],
        vms: [{ name: 'vm', runtime: 'microvm', interfaces: [{ network: 'lan', ip: '10.5.0.9' }, { network: 'dmz' }] }],
      },
      { instance: 'gw' },
    );
    const host = range.hosts[0] as ResolvedHost;
    const [lan, dmz] = host.interfaces;
    const served = renderNetplan(range, host);
    expect(served).toContain('- to: 0.0.0.0/0');
    const links = { eth0: lan?.mac ?? '', eth1: dmz?.mac ?? '' };
    const cmdline = `cyrange.mac=eth0,${lan?.mac} cyrange.mac=eth1,${dmz?.mac}`;
    const cmds = plan(cmdline, links, served);
    expect(cmds).toContain('ip addr add 10.5.0.9/24 dev eth0');
    expect(cmds).toContain(`ip addr add ${dmz?.ip}/24 dev eth1`);
    expect(cmds.filter((c) => c.startsWith('ip route'))).toEqual(['ip route replace default via 10.5.0.1 dev eth0']);
    // The older `to: default` form still reads; a route to another prefix is not a default route.
    const other = served
      .replace('to: 0.0.0.0/0', 'to: default')
      .replace(/(set-name: eth1\n)/, '$1      routes:\n        - to: 192.168.0.0/16\n          via: 10.6.0.254\n');
    expect(other).toContain('- to: 192.168.0.0/16');
    const cmds2 = plan(cmdline, links, other);
    expect(cmds2.filter((c) => c.startsWith('ip route'))).toEqual(['ip route replace default via 10.5.0.1 dev eth0']);
  });

  it('understands the command line Cyrange renders for a two-NIC host', () => {
    const range = resolveRange(
      {
        name: 'two',
        networks: [
          { name: 'lan', subnet: '10.5.0.0/24', dns: ['10.5.0.53'] },
          { name: 'dmz', subnet: '10.6.0.0/24' },
        ],
        vms: [{ name: 'vm', runtime: 'microvm', interfaces: [{ network: 'lan', ip: '10.5.0.9' }, { network: 'dmz' }] }],
      },
      { instance: 'two' },
    );
    const host = range.hosts[0] as ResolvedHost;
    const cmdline = renderKernelCmdline(host, range);
    const cmds = plan(cmdline, { eth0: host.interfaces[0]?.mac ?? '', eth1: host.interfaces[1]?.mac ?? '' });
    expect(cmds).toContain('ip addr add 10.5.0.9/24 dev eth0');
    expect(cmds).toContain('ip route replace default via 10.5.0.1 dev eth0');
    expect(cmds).toContain(`ip addr add ${host.interfaces[1]?.ip}/24 dev eth1`);
    expect(cmds).toContain('sh -c echo nameserver 10.5.0.53 >> /etc/resolv.conf');
  });
});
