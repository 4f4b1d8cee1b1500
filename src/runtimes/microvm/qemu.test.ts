import { describe, expect, it } from 'vitest';
import type { LaunchSpec } from './launcher.js';
import { qemuLauncher } from './qemu.js';

const spec: LaunchSpec = {
  tag: 'cyrange:r1:vm',
  accel: 'tcg',
  tcgCacheMb: 32,
  memoryMb: 192,
  vcpus: 2,
  boot: { kernel: '/a/vmlinuz', initrd: '/a/initrd.img' },
  disk: { overlayFd: 3, baseFd: 4, baseFormat: 'raw' },
  cmdline: 'console=ttyS0 ip=10.0.0.5::10.0.0.1:255.255.255.0:vm:eth0:off::',
  guestConfig: 'guest.conf',
  nics: [
    { id: 'v1', tap: 'v1', mac: '02:00:00:00:00:01' },
    { id: 'v2', tap: 'v2', mac: '02:00:00:00:00:02' },
  ],
  controlSocket: 'ctl',
  consoleSocket: 'console',
  monitorSocket: 'qmp',
  serialLog: 'serial.log',
};

/** The value that follows each occurrence of `flag`. */
function values(argv: readonly string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1] ?? ''] : []));
}

describe('qemu launcher', () => {
  const argv = qemuLauncher.argv(spec);

  it('tags the process, sizes it from resources and picks the accelerator', () => {
    expect(values(argv, '-name')).toEqual(['guest=cyrange:r1:vm']);
    expect(values(argv, '-machine')).toEqual(['pc']);
    expect(values(argv, '-accel')).toEqual(['tcg,tb-size=32']);
    expect(values(qemuLauncher.argv({ ...spec, accel: 'kvm' }), '-accel')).toEqual(['kvm']);
    expect(values(argv, '-m')).toEqual(['192M']);
    expect(values(argv, '-smp')).toEqual(['2']);
    expect(values(qemuLauncher.argv({ ...spec, accel: 'kvm' }), '-cpu')).toEqual(['host']);
  });

  it('runs under the seccomp sandbox: no obsolete calls, no privilege changes, no spawning, no resource control', () => {
    expect(values(argv, '-sandbox')).toEqual(['on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny']);
    expect(values(qemuLauncher.argv({ ...spec, disk: null, nics: [] }), '-sandbox')).toEqual([values(argv, '-sandbox')[0]]);
  });

  it('boots the given kernel and initramfs with the command line as one argument', () => {
    expect(values(argv, '-kernel')).toEqual(['/a/vmlinuz']);
    expect(values(argv, '-initrd')).toEqual(['/a/initrd.img']);
    expect(values(argv, '-append')).toEqual([spec.cmdline]);
  });

  it.each([
    ['raw', 'driver=raw,node-name=base,file=base-file,read-only=on'],
    ['qcow2', 'driver=qcow2,node-name=base,file=base-file,read-only=on'],
  ] as const)('attaches the disk as a qcow2 overlay on a read-only %s base, both from inherited descriptors', (fmt, baseNode) => {
    const a = qemuLauncher.argv({ ...spec, disk: { overlayFd: 3, baseFd: 4, baseFormat: fmt } });
    expect(values(a, '-add-fd')).toEqual(['fd=3,set=1', 'fd=4,set=2']);
    expect(values(a, '-blockdev')).toEqual([
      'driver=file,node-name=base-file,filename=/dev/fdset/2,read-only=on',
      baseNode,
      'driver=file,node-name=disk0-file,filename=/dev/fdset/1',
      'driver=qcow2,node-name=disk0,file=disk0-file,backing=base',
    ]);
    expect(values(a, '-device')).toContain('virtio-blk-pci,id=disk0,drive=disk0');
    expect(a).not.toContain('-drive');
  });

  it('gives a guest without a disk no block device', () => {
    const a = qemuLauncher.argv({ ...spec, disk: null });
    expect(values(a, '-add-fd')).toEqual([]);
    expect(values(a, '-blockdev')).toEqual([]);
  });

  it('puts each NIC on its existing TAP without scripts, with the plan MAC, in a fixed PCI slot', () => {
    expect(values(argv, '-netdev')).toEqual([
      'tap,id=nd-v1,ifname=v1,script=no,downscript=no',
      'tap,id=nd-v2,ifname=v2,script=no,downscript=no',
    ]);
    const devices = values(argv, '-device').filter((d) => d.startsWith('virtio-net-pci'));
    expect(devices).toEqual([
      'virtio-net-pci,id=nic-v1,netdev=nd-v1,mac=02:00:00:00:00:01,addr=0x10',
      'virtio-net-pci,id=nic-v2,netdev=nd-v2,mac=02:00:00:00:00:02,addr=0x11',
    ]);
  });

  it('doubles commas in paths, so a file name cannot add options', () => {
    const odd = qemuLauncher.argv({ ...spec, serialLog: 'x,path=/etc/y', guestConfig: 'a,b' });
    expect(values(odd, '-chardev')[0]).toBe('socket,id=con,path=console,server=on,wait=off,logfile=x,,path=/etc/y,logappend=on');
    expect(values(odd, '-fw_cfg')).toEqual(['name=opt/cyrange/config,file=a,,b']);
  });

  it('gives a NIC-less guest no network device, only its sockets', () => {
    const bare = qemuLauncher.argv({ ...spec, nics: [] });
    expect(values(bare, '-netdev')).toEqual([]);
    expect(bare).toContain('virtserialport,chardev=ctl,name=cyrange.ctl');
    expect(values(bare, '-chardev')).toEqual([
      'socket,id=con,path=console,server=on,wait=off,logfile=serial.log,logappend=on',
      'socket,id=ctl,path=ctl,server=on,wait=off',
    ]);
    expect(values(bare, '-qmp')).toEqual(['unix:qmp,server=on,wait=off']);
    expect(values(bare, '-fw_cfg')).toEqual(['name=opt/cyrange/config,file=guest.conf']);
  });
});
