import type { ControlTransport, LaunchSpec, Launcher, VmNic } from './launcher.js';
import { Qmp } from './qmp.js';

export const QEMU = 'qemu-system-x86_64';

/** A value inside a QEMU `key=value,…` option: commas are doubled so a path cannot add options. */
function opt(value: string): string {
  return value.replaceAll(',', ',,');
}

/** PCI slots of NICs: fixed per NIC index, so the guest sees them in blueprint order. */
const NIC_SLOT_BASE = 0x10;

/**
 * QEMU with a kernel and initramfs on the `pc` machine. The serial console goes to a unix socket
 * (logged to a file), the control channel is a virtio-serial port named `cyrange.ctl`, the monitor
 * is QMP, and each NIC is a virtio-net device on an existing TAP (no helper scripts).
 */
export const qemuLauncher: Launcher = {
  name: 'qemu',

  argv(s: LaunchSpec): string[] {
    // tb-size: QEMU's default TCG cache (1 GiB, filled lazily) lets QEMU grow far past guest RAM.
    const a = [QEMU, '-name', `guest=${s.tag}`, '-machine', 'pc', '-accel', s.accel === 'tcg' ? `tcg,tb-size=${s.tcgCacheMb}` : 'kvm'];
    a.push('-cpu', s.accel === 'kvm' ? 'host' : 'max', '-m', `${s.memoryMb}M`, '-smp', String(s.vcpus));
    a.push('-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot');
    a.push('-kernel', s.boot.kernel, '-append', s.cmdline);
    if (s.boot.initrd) a.push('-initrd', s.boot.initrd);
    if (s.boot.disk) a.push('-drive', `file=${opt(s.boot.disk)},if=virtio,format=${s.boot.disk.endsWith('.qcow2') ? 'qcow2' : 'raw'}`);
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

function nicArgs(n: VmNic, index: number): string[] {
  const addr = `0x${(NIC_SLOT_BASE + index).toString(16)}`;
  return [
    '-netdev',
    `tap,id=nd-${n.id},ifname=${n.tap},script=no,downscript=no`,
    '-device',
    `virtio-net-pci,id=nic-${n.id},netdev=nd-${n.id},mac=${n.mac},addr=${addr}`,
  ];
}
