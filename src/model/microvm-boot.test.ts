import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRawRange } from './blueprint.js';
import { ValidationError, formatProblem } from './errors.js';
import { renderGuestConfig, renderKernelCmdline, shellQuote } from './microvm-boot.js';
import { resolveRange } from './resolve.js';
import type { ResolvedRange } from './types.js';

function resolve(bp: object): ResolvedRange {
  return resolveRange(loadRawRange(stringify(bp)));
}

function problemsOf(bp: object): string[] {
  try {
    resolve(bp);
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map(formatProblem);
    throw e;
  }
}

const nic = [{ network: 'dmz' }];
const networks = [
  { name: 'lan', subnet: '10.0.0.0/24', dns: ['10.0.0.53'], dhcp: true },
  { name: 'dmz', subnet: '10.0.1.0/24' },
];

describe('microvm boot settings', () => {
  it('default to the qemu launcher and Cyrange’s own guest; other runtimes have none', () => {
    const r = resolve({
      name: 'r',
      networks,
      vms: [
        { name: 'vm', runtime: 'microvm', interfaces: nic },
        { name: 'n', interfaces: nic },
      ],
    });
    expect(r.hosts[0]?.microvm).toEqual({ launcher: 'qemu', kernel: null, initrd: null, disk: null, append: null });
    expect(r.hosts[1]?.microvm).toBeNull();
  });

  it('come from the plugin, field by field under the host', () => {
    const r = resolve({
      name: 'r',
      networks,
      plugins: { vm: { runtime: 'microvm', microvm: { kernel: '/srv/k', append: 'loglevel=4' } } },
      vms: [{ name: 'a', plugin: 'vm', microvm: { initrd: '/srv/i' }, interfaces: nic }],
    });
    expect(r.hosts[0]?.microvm).toEqual({ launcher: 'qemu', kernel: '/srv/k', initrd: '/srv/i', disk: null, append: 'loglevel=4' });
  });

  it('are refused on other runtimes, with relative paths that are no image name and with unknown launchers', () => {
    expect(
      problemsOf({ name: 'r', networks, vms: [{ name: 'd', runtime: 'docker', image: 'x', microvm: { kernel: '/k' }, interfaces: nic }] }),
    ).toEqual(['vms[0].microvm: only microvm hosts take microvm settings (runtime is docker)']);
    expect(
      problemsOf({ name: 'r', networks, vms: [{ name: 'v', runtime: 'microvm', microvm: { kernel: 'boot/k' }, interfaces: nic }] }),
    ).toEqual(['vms[0].microvm.kernel: "boot/k" must be an image name from `cyrange image ls` or an absolute path']);
    expect(
      problemsOf({ name: 'r', networks, vms: [{ name: 'v', runtime: 'microvm', microvm: { launcher: 'vbox' }, interfaces: nic }] })[0],
    ).toMatch(/^vms\[0\]\.microvm\.launcher: /);
  });
});

describe('microvm init', () => {
  const disk = { name: 'vm', runtime: 'microvm', interfaces: nic };
  it('is Cyrange’s own by default (not written down), and the disk’s when asked, from the plugin or the host', () => {
    const r = resolve({
      name: 'r',
      networks,
      plugins: { cloud: { runtime: 'microvm', microvm: { disk: 'debian-cloud', init: 'disk' } } },
      vms: [
        { ...disk, microvm: { disk: 'debian-cloud' } },
        { ...disk, name: 'c', plugin: 'cloud' },
        { ...disk, name: 'd', plugin: 'cloud', microvm: { init: 'cyrange' } },
      ],
    });
    expect(r.hosts[0]?.microvm?.init).toBeUndefined();
    expect(r.hosts[1]?.microvm).toEqual({ launcher: 'qemu', kernel: null, initrd: null, disk: 'debian-cloud', append: null, init: 'disk' });
    expect(r.hosts[2]?.microvm?.init).toBeUndefined();
  });

  it('"disk" needs a disk and takes no command; other values are refused', () => {
    expect(problemsOf({ name: 'r', networks, vms: [{ ...disk, microvm: { init: 'disk' } }] })).toEqual([
      'vms[0].microvm.init: init "disk" boots the disk\'s own init: it needs microvm.disk',
    ]);
    expect(
      problemsOf({ name: 'r', networks, vms: [{ ...disk, command: ['sleep', '1'], microvm: { disk: '/srv/d.img', init: 'disk' } }] }),
    ).toEqual(['vms[0].command: a microvm host with init "disk" runs its disk\'s own init, not a command']);
    expect(problemsOf({ name: 'r', networks, vms: [{ ...disk, microvm: { disk: '/srv/d.img', init: 'systemd' } }] })[0]).toMatch(
      /^vms\[0\]\.microvm\.init: /,
    );
  });

  it('"disk" puts cyrange.boot=disk on the command line, before the blueprint’s own words', () => {
    const r = resolve({ name: 'r', networks, vms: [{ ...disk, microvm: { disk: 'debian-cloud', init: 'disk', append: 'loglevel=4' } }] });
    const line = renderKernelCmdline(r.hosts[0] as never, r);
    expect(line).toMatch(/ cyrange\.mac=eth0,[0-9a-f:]+ cyrange\.boot=disk loglevel=4$/);
    const plain = resolve({ name: 'r', networks, vms: [{ ...disk, microvm: { disk: 'debian-cloud' } }] });
    expect(renderKernelCmdline(plain.hosts[0] as never, plain)).not.toContain('cyrange.boot');
  });
});

describe('renderKernelCmdline', () => {
  it('has the serial console, one ip= per NIC, the MAC of each NIC name, then the blueprint words', () => {
    const r = resolve({
      name: 'r',
      networks,
      vms: [
        {
          name: 'vm',
          runtime: 'microvm',
          microvm: { append: 'loglevel=4' },
          interfaces: [
            { network: 'lan', ip: '10.0.0.5' },
            { network: 'dmz', ip: '10.0.1.5' },
          ],
        },
      ],
    });
    const h = r.hosts[0];
    if (!h) throw new Error('no host');
    expect(renderKernelCmdline(h, r)).toBe(
      [
        'console=ttyS0 panic=-1 quiet',
        'ip=10.0.0.5::10.0.0.1:255.255.255.0:vm:eth0:off:10.0.0.53:',
        'ip=10.0.1.5:::255.255.255.0:vm:eth1:off::',
        `cyrange.mac=eth0,${h.interfaces[0]?.mac}`,
        `cyrange.mac=eth1,${h.interfaces[1]?.mac}`,
        'loglevel=4',
      ].join(' '),
    );
  });

  it('gives a vsock-mode guest no NIC words at all, and a dhcp guest ip=dhcp', () => {
    const r = resolve({
      name: 'r',
      networks,
      vms: [
        { name: 'v', runtime: 'microvm', network: { mode: 'vsock' } },
        { name: 'd', runtime: 'microvm', network: { mode: 'dhcp' }, interfaces: [{ network: 'lan' }] },
      ],
    });
    expect(renderKernelCmdline(r.hosts[0] as never, r)).toBe('console=ttyS0 panic=-1 quiet');
    expect(renderKernelCmdline(r.hosts[1] as never, r)).toMatch(/ ip=dhcp cyrange\.mac=eth0,/);
  });
});

describe('renderGuestConfig', () => {
  it('quotes the command and environment so the guest shell reads them back word for word', () => {
    const r = resolve({
      name: 'r',
      networks,
      vms: [{ name: 'vm', runtime: 'microvm', command: ['sh', '-c', "echo 'hi' $HOME"], env: { GREETING: "it's" }, interfaces: nic }],
    });
    const text = renderGuestConfig(r.hosts[0] as never);
    expect(text).toContain(`CYR_HOSTNAME='vm'`);
    expect(text).toContain(`CYR_DISK=0`);
    expect(text).toContain(`export GREETING='it'\\''s'`);
    expect(text).toContain(`CYR_CMD=${shellQuote(`'sh' '-c' ${shellQuote("echo 'hi' $HOME")}`)}`);
  });
});
