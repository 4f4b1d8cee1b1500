import { z } from 'zod';
import { MAC_PATTERN } from './defaults.js';
import { RawPolicy } from './policy.js';

/** Runtimes a host may run on. */
export const RUNTIMES = ['netns', 'docker', 'microvm'] as const;
/** How a host's NICs get their addresses, or whether it has NICs at all. */
export const NETWORK_MODES = ['bridged', 'dhcp', 'vsock'] as const;
/** Where a network's traffic may leave the range. */
export const EGRESS_KINDS = ['none', 'nat', 'bridge'] as const;

export type RuntimeName = (typeof RUNTIMES)[number];
export type NetworkMode = (typeof NETWORK_MODES)[number];
export type Egress = (typeof EGRESS_KINDS)[number];

export const RANGE_NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;
export const HOST_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const NETWORK_NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;

const rangeName = z.string().regex(RANGE_NAME, { error: 'must match [a-z0-9-], start with a letter or digit, 1..24 chars' });
const hostName = z.string().regex(HOST_NAME, { error: 'must match [a-z0-9-], start with a letter or digit, 1..32 chars' });
const netName = z.string().regex(NETWORK_NAME, { error: 'must match [a-z0-9-], start with a letter or digit, 1..24 chars' });

/** A host's own network settings; every field may be left out and is then inherited. */
export const RawNetworkConfig = z.strictObject({
  mode: z.enum(NETWORK_MODES).optional(),
  subnet: z.string().optional(),
  gateway: z.string().optional(),
  auto_assign: z.boolean().optional(),
});
export type RawNetworkConfig = z.infer<typeof RawNetworkConfig>;

export const RawResources = z.strictObject({
  memory: z.union([z.string(), z.number().int().positive()]).optional(),
  cpus: z.number().positive().max(256).optional(),
});
export type RawResources = z.infer<typeof RawResources>;

/** Launchers of the microvm runtime. Only qemu runs on these machines; firecracker is reserved. */
export const LAUNCHERS = ['qemu', 'firecracker'] as const;
export type LauncherName = (typeof LAUNCHERS)[number];

/** Who is PID 1 in a microVM: Cyrange's init from its initramfs, or the root disk's own init. */
export const MICROVM_INITS = ['cyrange', 'disk'] as const;
export type MicrovmInit = (typeof MICROVM_INITS)[number];

/** Catalog image names (`cyrange image ls`). */
export const IMAGE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** An image from the catalog by name, or (admission permitting) an absolute path on the machine. */
const imageRef = z
  .string()
  .regex(/^(\/[^\0]*|[a-z0-9][a-z0-9._-]{0,63})$/, { error: 'must be an image name from `cyrange image ls` or an absolute path' });

/** How a netns host is isolated: a runc sandbox (the default), or none (admin only: the machine's own filesystem). */
export const SANDBOX_KINDS = ['runc', 'none'] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];

/** Boot settings of a microvm host; each path replaces Cyrange's own guest asset. */
export const RawMicrovm = z.strictObject({
  launcher: z.enum(LAUNCHERS).optional(),
  kernel: imageRef.optional(),
  initrd: imageRef.optional(),
  /** A raw or qcow2 root file system image, attached as the first virtio disk through a per-host overlay. */
  disk: imageRef.optional(),
  /** Extra kernel command line words. */
  append: z.string().max(1024).optional(),
  /**
   * What runs as the guest's PID 1: Cyrange's own init (`cyrange`, the default), or the disk's own
   * (`disk`: its /sbin/init, e.g. systemd with cloud-init; the initramfs mounts the disk and switches to it).
   */
  init: z.enum(MICROVM_INITS).optional(),
});
export type RawMicrovm = z.infer<typeof RawMicrovm>;

/** A login name guests and sandboxes accept (POSIX portable, as Debian's useradd takes it). */
export const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
/** A crypt(3) hash: MD5, bcrypt, SHA-256/512, yescrypt, gost-yescrypt or scrypt. */
export const CRYPT_HASH = /^\$(?:1|2[abxy]|5|6|7|y|gy)\$[^\s:$]+(?:\$[^\s:$]+)+$/;

/**
 * A user created in a guest (cloud-init `user-data`) or inside a sandbox or container. A plain
 * `password` is hashed when the blueprint is loaded, before it is resolved or stored; `passwd` is an
 * already hashed one. Neither is ever echoed in an error line.
 */
export const RawUser = z.strictObject({
  name: z.string().regex(USER_NAME, { error: 'must be a login name: [a-z_][a-z0-9_-], 1..32 chars' }),
  password: z
    .custom<string>((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024 && !/[\0\n]/.test(v), {
      error: 'must be a non-empty string of at most 1024 characters on one line (quote it)',
    })
    .optional(),
  passwd: z
    .custom<string>((v) => typeof v === 'string' && CRYPT_HASH.test(v), {
      error: 'is not a crypt(3) hash ($6$salt$hash); put a plain-text password in `password` instead',
    })
    .optional(),
  ssh_authorized_keys: z.array(z.string().regex(/^[^\r\n\0]{1,16384}$/, { error: 'must be one authorized_keys line' })).optional(),
  sudo: z.boolean().optional(),
  shell: z
    .string()
    .regex(/^\/[A-Za-z0-9._+/-]{0,254}$/, { error: 'must be an absolute path like /bin/bash' })
    .optional(),
});
export type RawUser = z.infer<typeof RawUser>;

const command = z.union([z.string().min(1), z.array(z.string()).min(1)]);
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'is not a valid variable name' }), z.string());

/** Fields a host and a plugin (host template) share. */
const hostTemplateFields = {
  runtime: z.enum(RUNTIMES).optional(),
  image: z.string().min(1).optional(),
  command: command.optional(),
  env: env.optional(),
  resources: RawResources.optional(),
  network: RawNetworkConfig.optional(),
  microvm: RawMicrovm.optional(),
  /** Root filesystem of a sandboxed netns host: a catalog image (default `debian-base`). */
  rootfs: imageRef.optional(),
  sandbox: z.enum(SANDBOX_KINDS).optional(),
  /** Users to create: in the guest through cloud-init, inside sandboxes and containers at deploy. */
  users: z.array(RawUser).max(64).optional(),
};

export const RawPlugin = z.strictObject(hostTemplateFields);
export type RawPlugin = z.infer<typeof RawPlugin>;

/** Bandwidth limits of one NIC in Mbit/s, and the token bucket size in KiB. */
export const RawRateLimit = z.strictObject({
  ingress_mbps: z.number().positive().optional(),
  egress_mbps: z.number().positive().optional(),
  burst_kb: z.number().positive().optional(),
});
export type RawRateLimit = z.infer<typeof RawRateLimit>;

export const RawInterface = z.strictObject({
  network: netName,
  ip: z.string().nullable().optional(),
  mac: z.string().regex(MAC_PATTERN, { error: 'must be a lower-case MAC like 02:00:00:00:00:01' }).optional(),
  /** Per-NIC bandwidth limits, from the host's point of view (ingress: what it receives). */
  rate_limit: RawRateLimit.optional(),
});
export type RawInterface = z.infer<typeof RawInterface>;

export const RawHost = z.strictObject({
  name: hostName,
  plugin: z.string().optional(),
  ...hostTemplateFields,
  interfaces: z.array(RawInterface).optional(),
  /** Legacy single-NIC form: one primary interface on this network. */
  network_id: netName.optional(),
  /** Legacy single-NIC form: the primary interface's address. */
  ip_address: z.string().nullable().optional(),
  /** Let this host route between its own networks (a firewall or router). */
  ip_forward: z.boolean().optional(),
  hidden: z.boolean().optional(),
  /** TCP port of a VNC server in the host, reached through the console proxy. */
  vnc_port: z.number().int().min(1).max(65535).optional(),
});
export type RawHost = z.infer<typeof RawHost>;

export const RawDhcp = z.union([
  z.boolean(),
  z.strictObject({ start: z.string(), end: z.string(), lease_seconds: z.number().int().min(60).optional() }),
]);

export const RawNetwork = z.strictObject({
  name: netName,
  subnet: z.string(),
  gateway: z.string().optional(),
  egress: z.enum(EGRESS_KINDS).optional(),
  /** For `egress: bridge`: the host bridge this network joins at L2. */
  host_bridge: z
    .string()
    .regex(/^(?!\.\.?$)[A-Za-z0-9_.-]{1,15}$/, { error: 'must be an interface name: 1..15 of [A-Za-z0-9_.-]' })
    .optional(),
  dhcp: RawDhcp.optional(),
  dns: z.array(z.string()).optional(),
  reserved: z.array(z.string()).optional(),
});
export type RawNetwork = z.infer<typeof RawNetwork>;

/** A blueprint as written by a user, after shape checks and before any semantic check. */
export const RawRange = z.strictObject({
  name: rangeName,
  description: z.string().optional(),
  plugins: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, { error: 'must match [a-z0-9_-], start with a letter or digit, 1..32 chars' }),
      RawPlugin,
    )
    .optional(),
  networks: z.array(RawNetwork).default([]),
  routes: z.array(z.tuple([netName, netName])).optional(),
  /** Traffic rules per host or network (see policy.ts). */
  policies: z.array(RawPolicy).optional(),
  vms: z.array(RawHost).default([]),
  /** A cap over the whole range: every host's sandbox, container and VM runs under it. */
  resources: RawResources.optional(),
});
export type RawRange = z.infer<typeof RawRange>;
