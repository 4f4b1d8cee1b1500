import type { EffectiveNetworkConfig } from './network-config.js';
import type { Egress, RuntimeName, SandboxKind } from './schema.js';

/** How an interface gets its address. */
export type Addressing = 'static' | 'auto' | 'dhcp';

/** One network of a resolved range. */
export interface ResolvedNetwork {
  readonly name: string;
  readonly subnet: string;
  readonly prefix: number;
  readonly gateway: string;
  readonly egress: Egress;
  /** Host bridge this network joins when egress is `bridge` (null: from config). */
  readonly hostBridge: string | null;
  /** Pool our DHCP server hands out, or null when the range serves no DHCP here. */
  readonly dhcp: { readonly start: string; readonly end: string; readonly leaseSeconds: number } | null;
  readonly dns: readonly string[];
  /** Addresses auto-assignment never gives (`a` or `a-b`). Absent in ranges stored before it was kept. */
  readonly reserved?: readonly string[];
  /** Bridge name inside the range namespace. */
  readonly bridge: string;
}

/** One NIC of a resolved host. */
export interface ResolvedInterface {
  readonly network: string;
  /** Address; null in dhcp mode. */
  readonly ip: string | null;
  readonly prefix: number;
  readonly gateway: string;
  readonly addressing: Addressing;
  readonly mac: string;
  readonly primary: boolean;
  /** Name inside the host (`eth0` for the primary). */
  readonly ifname: string;
  /** Name of the range-namespace end, on the network's bridge. */
  readonly peer: string;
  /** Bandwidth limits enforced with tc on the range side; null: unlimited. */
  readonly rateLimit: RateLimit | null;
}

/** Per-NIC bandwidth limits from the host's point of view; a null direction is unlimited. */
export interface RateLimit {
  /** What the host receives, in Mbit/s. */
  readonly ingressMbps: number | null;
  /** What the host sends, in Mbit/s. */
  readonly egressMbps: number | null;
  /** Token bucket size in KiB. */
  readonly burstKb: number;
}

/** Resource limits; null means no limit. */
export interface ResolvedResources {
  readonly memoryBytes: number | null;
  readonly cpus: number | null;
}

/** One host of a resolved range, with plugin defaults applied. */
export interface ResolvedHost {
  readonly name: string;
  readonly runtime: RuntimeName;
  readonly plugin: string | null;
  readonly image: string | null;
  readonly command: readonly string[] | null;
  readonly env: Readonly<Record<string, string>>;
  readonly resources: ResolvedResources;
  readonly network: EffectiveNetworkConfig;
  readonly interfaces: readonly ResolvedInterface[];
  readonly ipForward: boolean;
  readonly hidden: boolean;
  /** TCP port of the host's VNC server, or null. */
  readonly vncPort: number | null;
  /** Root filesystem image of a netns host (catalog name or admin's path); absent on other runtimes and older ranges. */
  readonly rootfs?: string | null;
  /** Isolation of a netns host; absent (older ranges) means `runc`. */
  readonly sandbox?: SandboxKind;
  /** Boot settings of a microvm host (absent on other runtimes and on ranges stored before microVMs). */
  readonly microvm?: MicrovmSpec | null;
  /** Users created in the host (cloud-init for guests, at deploy in sandboxes and containers); absent: none. */
  readonly users?: readonly ResolvedUser[];
}

/** A user of a host. Its password is only ever a crypt(3) hash. */
export interface ResolvedUser {
  readonly name: string;
  /** crypt(3) hash (`$6$…`), or null: no password, so no password login. */
  readonly passwd: string | null;
  readonly sshAuthorizedKeys: readonly string[];
  /** Passwordless sudo (`ALL=(ALL) NOPASSWD:ALL`). */
  readonly sudo: boolean;
  /** Login shell. */
  readonly shell: string;
}

/** How a microVM boots: the launcher, and paths that replace Cyrange's own kernel and initramfs. */
export interface MicrovmSpec {
  readonly launcher: 'qemu' | 'firecracker';
  readonly kernel: string | null;
  readonly initrd: string | null;
  readonly disk: string | null;
  readonly append: string | null;
  /**
   * PID 1 of the guest: `cyrange` (Cyrange's initramfs init, with its control channel) or `disk`
   * (the disk's own /sbin/init; no control channel). Absent in ranges stored before it existed: `cyrange`.
   */
  readonly init?: 'cyrange' | 'disk';
}

/** A validated range with every address allocated: what the engine works from. */
export interface ResolvedRange {
  /** Blueprint name. */
  readonly name: string;
  /** Instance name: unique per deployment, the blueprint name by default. */
  readonly instance: string;
  readonly description: string | null;
  readonly networks: readonly ResolvedNetwork[];
  readonly routes: ReadonlyArray<readonly [string, string]>;
  /** Traffic rules, lowest priority first. */
  readonly policies: readonly ResolvedPolicy[];
  readonly hosts: readonly ResolvedHost[];
  /** Cap over all of the range's hosts (absent in ranges stored before it existed). */
  readonly resources?: ResolvedResources;
}

/** A traffic rule: allow or deny matching traffic into (ingress) or out of (egress) a host or a network's hosts. */
export interface ResolvedPolicy {
  /** Position in the blueprint, to keep equal priorities in written order. */
  readonly index: number;
  readonly target: { readonly kind: 'host' | 'network'; readonly name: string };
  readonly direction: 'ingress' | 'egress';
  readonly protocol: 'tcp' | 'udp' | 'icmp' | 'any';
  readonly ports: readonly [number, number] | null;
  /** The other side's CIDR: source for ingress, destination for egress. */
  readonly peer: string | null;
  readonly action: 'allow' | 'deny';
  readonly priority: number;
}
