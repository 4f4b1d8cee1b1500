import type { Accel } from './accel.js';
import type { BootFiles } from './assets.js';

/** One guest NIC: the TAP it uses in the range namespace and the guest's MAC. */
export interface VmNic {
  readonly id: string;
  readonly tap: string;
  readonly mac: string;
}

/** Everything a launcher needs to start one guest. */
export interface LaunchSpec {
  /** Ownership tag of the VM process: `cyrange:INSTANCE:HOST`. */
  readonly tag: string;
  readonly accel: Accel;
  /** TCG translation cache, MiB (ignored under KVM). */
  readonly tcgCacheMb: number;
  readonly memoryMb: number;
  readonly vcpus: number;
  readonly boot: BootFiles;
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
