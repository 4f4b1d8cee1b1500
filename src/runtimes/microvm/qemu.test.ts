import { describe, expect, it } from 'vitest';
import type { LaunchSpec } from './launcher.js';
import { qemuLauncher } from './qemu.js';

const spec: LaunchSpec = {
  tag: 'cyrange:r1:vm',
  accel: 'tcg',
  tcgCacheMb: 32,
  memoryMb: 192,
  vcpus: 2,
  boot: { kernel: '/a/vmlinuz', initrd: '/a/initrd.img', disk: '/a/root.qcow2' },
  cmdline: 'console=ttyS0 ip=10.0.0.5::10.0.0.1:255.255.255.0:vm:eth0:off::',
  guestConfig: '/run/x/vm.guest.conf',
  nics: [
    { id: 'v1', tap: 'v1', mac: '02:00:00:00:00:01' },
    { id: 'v2', tap: 'v2', mac: '02:00:00:00:00:02' },
  ],
  controlSocket: '/run/x/vm.ctl',
  consoleSocket: '/run/x/vm.console',
  monitorSocket: '/run/x/vm.qmp',
  serialLog: '/run/x/vm.serial.log',
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

  it('boots the given kernel, initramfs and disk with the command line as one argument', () => {
    expect(values(argv, '-kernel')).toEqual(['/a/vmlinuz']);
    expect(values(argv, '-initrd')).toEqual(['/a/initrd.img']);
    expect(values(argv, '-append')).toEqual([spec.cmdline]);
    expect(values(argv, '-drive')).toEqual(['file=/a/root.qcow2,if=virtio,format=qcow2']);
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
    const odd = qemuLauncher.argv({ ...spec, boot: { ...spec.boot, disk: '/a/x,if=none.img' } });
    expect(values(odd, '-drive')).toEqual(['file=/a/x,,if=none.img,if=virtio,format=raw']);
  });

  it('gives a NIC-less guest no network device, only its sockets', () => {
    const bare = qemuLauncher.argv({ ...spec, nics: [] });
    expect(values(bare, '-netdev')).toEqual([]);
    expect(bare).toContain('virtserialport,chardev=ctl,name=cyrange.ctl');
    expect(values(bare, '-chardev')).toEqual([
      'socket,id=con,path=/run/x/vm.console,server=on,wait=off,logfile=/run/x/vm.serial.log,logappend=on',
      'socket,id=ctl,path=/run/x/vm.ctl,server=on,wait=off',
    ]);
    expect(values(bare, '-qmp')).toEqual(['unix:/run/x/vm.qmp,server=on,wait=off']);
    expect(values(bare, '-fw_cfg')).toEqual(['name=opt/cyrange/config,file=/run/x/vm.guest.conf']);
  });
});
