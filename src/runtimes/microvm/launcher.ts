import type { Accel } from './accel.js';
import type { BootFiles } from './assets.js';

/** One guest NIC: the TAP it uses in the range namespace and the guest's MAC. */
export interface VmNic {
  readonly id: string;
  readonly tap: string;
  readonly mac: string;
}

/**
 * A guest's disk: a per-host qcow2 overlay on a base image that is never written. The caller opens
 * both (the overlay read-write, the base read-only) and hands them to the VM as descriptors, so the
 * unprivileged VM process needs no access to their paths and cannot open the base for writing.
 */
export interface VmDisk {
  /** Descriptor numbers in the VM process. */
  readonly overlayFd: number;
  readonly baseFd: number;
  readonly baseFormat: 'raw' | 'qcow2';
}

/**
 * Everything a launcher needs to start one guest. Socket, log and config paths may be relative to
 * the VM's working directory (its own directory, which it may write).
 */
export interface LaunchSpec {
  /** Ownership tag of the VM process: `cyrange:INSTANCE:HOST`. */
  readonly tag: string;
  readonly accel: Accel;
  /** TCG translation cache, MiB (ignored under KVM). */
  readonly tcgCacheMb: number;
  readonly memoryMb: number;
  readonly vcpus: number;
  /** Kernel and initramfs, opened by the VM process itself. */
  readonly boot: Pick<BootFiles, 'kernel' | 'initrd'>;
  readonly disk: VmDisk | null;
  readonly cmdline: string;
  /** File the guest init sources (host name, command, env). */
  readonly guestConfig: string;
  readonly nics: readonly VmNic[];
  /** Unix sockets: the control channel, the serial console, the VM monitor. */
  readonly controlSocket: string;
  readonly consoleSocket: string;
  readonly monitorSocket: string;
  readonly serialLog: string;
}

/** The host-local control channel a launcher gives the guest. */
export type ControlTransport = 'virtio-serial' | 'virtio-vsock';

/** Starts VMs of one kind (QEMU today; Firecracker has the same shape: TAPs, a kernel, sockets). */
export interface Launcher {
  readonly name: string;
  /** The program and arguments that run the VM in the foreground. */
  argv(spec: LaunchSpec): string[];
  /** The control transport this launcher uses on this machine. */
  transport(): ControlTransport;
  /** Plugs a NIC into a running VM through its monitor. */
  plugNic(monitorSocket: string, nic: VmNic): Promise<void>;
  /** Unplugs a NIC from a running VM through its monitor. */
  unplugNic(monitorSocket: string, nic: VmNic): Promise<void>;
}
