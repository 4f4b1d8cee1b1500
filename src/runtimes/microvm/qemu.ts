import type { ControlTransport, LaunchSpec, Launcher, VmDisk, VmNic } from './launcher.js';
import { Qmp } from './qmp.js';

export const QEMU = 'qemu-system-x86_64';

/** A value inside a QEMU `key=value,…` option: commas are doubled so a path cannot add options. */
function opt(value: string): string {
  return value.replaceAll(',', ',,');
}

/**
 * QEMU's seccomp filter: besides the default deny list, no obsolete system calls, no changing of
 * credentials, no fork or exec, no changing of scheduling or affinity.
 */
export const SANDBOX = 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny';

/** PCI slots of NICs: fixed per NIC index, so the guest sees them in blueprint order. */
const NIC_SLOT_BASE = 0x10;

/**
 * QEMU with a kernel and initramfs on the `pc` machine, under its seccomp sandbox. The serial
 * console goes to a unix socket (logged to a file), the control channel is a virtio-serial port
 * named `cyrange.ctl`, the monitor is QMP, each NIC is a virtio-net device on an existing TAP (no
 * helper scripts), and a disk is a qcow2 overlay over a read-only base, both passed as descriptors.
 */
export const qemuLauncher: Launcher = {
  name: 'qemu',

  argv(s: LaunchSpec): string[] {
    // tb-size: QEMU's default TCG cache (1 GiB, filled lazily) lets QEMU grow far past guest RAM.
    const a = [QEMU, '-name', `guest=${s.tag}`, '-machine', 'pc', '-accel', s.accel === 'tcg' ? `tcg,tb-size=${s.tcgCacheMb}` : 'kvm'];
    a.push('-cpu', s.accel === 'kvm' ? 'host' : 'max', '-m', `${s.memoryMb}M`, '-smp', String(s.vcpus));
    a.push('-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot', '-sandbox', SANDBOX);
    a.push('-kernel', s.boot.kernel, '-append', s.cmdline);
    if (s.boot.initrd) a.push('-initrd', s.boot.initrd);
    if (s.disk) a.push(...diskArgs(s.disk));
    a.push('-fw_cfg', `name=opt/cyrange/config,file=${opt(s.guestConfig)}`);
    a.push('-chardev', `socket,id=con,path=${opt(s.consoleSocket)},server=on,wait=off,logfile=${opt(s.serialLog)},logappend=on`);
    a.push('-serial', 'chardev:con');
    a.push('-device', 'virtio-serial-pci,id=vser');
    a.push('-chardev', `socket,id=ctl,path=${opt(s.controlSocket)},server=on,wait=off`);
    a.push('-device', 'virtserialport,chardev=ctl,name=cyrange.ctl');
    // The guest hands pages it frees back to the host, so idle guests do not keep their peak.
    a.push('-device', 'virtio-balloon-pci,id=balloon,free-page-reporting=on');
    a.push('-qmp', `unix:${opt(s.monitorSocket)},server=on,wait=off`);
    for (const [i, n] of s.nics.entries()) a.push(...nicArgs(n, i));
    return a;
  },

  transport(): ControlTransport {
    // virtio-vsock would need /dev/vhost-vsock here and a vsock listener in the busybox guest; the
    // serial port works everywhere, so it is the one channel for now.
    return 'virtio-serial';
  },

  async plugNic(monitor: string, nic: VmNic): Promise<void> {
    const q = await Qmp.open(monitor);
    try {
      await q.command('netdev_add', { type: 'tap', id: `nd-${nic.id}`, ifname: nic.tap, script: 'no', downscript: 'no' });
      await q.command('device_add', { driver: 'virtio-net-pci', id: `nic-${nic.id}`, netdev: `nd-${nic.id}`, mac: nic.mac });
    } finally {
      q.close();
    }
  },

  async unplugNic(monitor: string, nic: VmNic): Promise<void> {
    const q = await Qmp.open(monitor);
    try {
      const gone = q.waitEvent('DEVICE_DELETED', (d) => (d as { device?: string }).device === `nic-${nic.id}`, 15_000);
      await q.command('device_del', { id: `nic-${nic.id}` });
      await gone;
      await q.command('netdev_del', { id: `nd-${nic.id}` });
    } finally {
      q.close();
    }
  },
};

/**
 * The overlay on its base as a block graph: the backing node is named, so QEMU never opens the
 * base by the path recorded in the overlay, and it is read-only.
 */
function diskArgs(d: VmDisk): string[] {
  return [
    '-add-fd',
    `fd=${d.overlayFd},set=1`,
    '-add-fd',
    `fd=${d.baseFd},set=2`,
    '-blockdev',
    'driver=file,node-name=base-file,filename=/dev/fdset/2,read-only=on',
    '-blockdev',
    `driver=${d.baseFormat},node-name=base,file=base-file,read-only=on`,
    '-blockdev',
    'driver=file,node-name=disk0-file,filename=/dev/fdset/1',
    '-blockdev',
    'driver=qcow2,node-name=disk0,file=disk0-file,backing=base',
    '-device',
    'virtio-blk-pci,id=disk0,drive=disk0',
  ];
}

function nicArgs(n: VmNic, index: number): string[] {
  const addr = `0x${(NIC_SLOT_BASE + index).toString(16)}`;
  return [
    '-netdev',
    `tap,id=nd-${n.id},ifname=${n.tap},script=no,downscript=no`,
    '-device',
    `virtio-net-pci,id=nic-${n.id},netdev=nd-${n.id},mac=${n.mac},addr=${addr}`,
  ];
}
