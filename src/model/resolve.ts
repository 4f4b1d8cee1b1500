import { type Problem, ValidationError } from './errors.js';
import { DEFAULT_BURST_KB } from './defaults.js';
import {
  type Cidr,
  broadcastOf,
  cidrContains,
  cidrsOverlap,
  formatCidr,
  formatIpv4,
  isPointToPoint,
  parseCidr,
  parseIpv4,
  parseReserved,
} from './ip.js';
import { SubnetAllocator, staticIpRefusal } from './ipam.js';
import { bridgeIfname, guestIfname, macFor, peerIfname } from './naming.js';
import { resolveNetworkConfig } from './network-config.js';
import { resolvePolicies } from './policy.js';
import { parseMemory } from './resources.js';
import {
  RANGE_NAME,
  type RawHost,
  type RawInterface,
  type RawRange,
  type RawRateLimit,
  type RawResources,
  type RawUser,
} from './schema.js';
import type {
  Addressing,
  RateLimit,
  ResolvedHost,
  ResolvedInterface,
  ResolvedNetwork,
  ResolvedRange,
  ResolvedResources,
  ResolvedUser,
} from './types.js';

/** A Linux bridge takes at most 1024 ports; one goes to the uplink when there is one. */
const MAX_NICS_PER_NETWORK = 1023;
const DEFAULT_LEASE_SECONDS = 3600;
const DEFAULT_NETNS_COMMAND = ['sleep', 'infinity'] as const;
/** The rootfs image `cyrange image build-rootfs` makes, used by netns hosts that name none. */
export const DEFAULT_ROOTFS = 'debian-base';

/** Resource limits as the engine uses them; a bad memory size is reported at `at.memory`. */
function resolveResources(res: RawResources, at: string, problems: Problem[]): ResolvedResources {
  let memoryBytes: number | null = null;
  if (res.memory !== undefined) {
    memoryBytes = parseMemory(res.memory);
    if (memoryBytes === null || memoryBytes < 4 * 1024 * 1024)
      problems.push({ path: `${at}.memory`, message: `"${res.memory}" is not a size of at least 4m (e.g. 256m, 1g)` });
  }
  return { memoryBytes, cpus: res.cpus ?? null };
}

export interface ResolveOptions {
  /** Instance name; the blueprint name when left out. */
  readonly instance?: string;
  /** Names the input (a file path) in error lines. */
  readonly source?: string;
  /**
   * The range as it is deployed now (same instance): a NIC on a network its host already has keeps
   * that address when it has none of its own and the address is still free, and its interface
   * name, so a changed blueprint resolves to what it can be changed into in place.
   */
  readonly pin?: ResolvedRange;
}

interface NetCtx {
  readonly index: number;
  readonly raw: RawRange['networks'][number];
  readonly cidr: Cidr;
  /** Null on a /31 point-to-point network, which has none. */
  readonly gateway: number | null;
  readonly alloc: SubnetAllocator;
  readonly reserved: ReadonlyArray<readonly [number, number]>;
  readonly pool: readonly [number, number] | null;
  nics: number;
}

interface PendingNic {
  readonly path: string;
  readonly raw: RawInterface;
  readonly net: NetCtx;
  ip: number | null;
  readonly addressing: Addressing;
}

/**
 * Validates a raw blueprint and resolves it: plugin defaults, network modes, addresses, names and MACs.
 * Every problem is reported, not only the first. Returns a deeply frozen range or throws ValidationError.
 */
export function resolveRange(raw: RawRange, opts: ResolveOptions = {}): ResolvedRange {
  const problems: Problem[] = [];
  const instance = opts.instance ?? raw.name;
  if (!RANGE_NAME.test(instance)) problems.push({ path: 'instance', message: `"${instance}" must match [a-z0-9-], 1..24 chars` });

  const nets = resolveNetworks(raw, problems);
  checkRoutes(raw, nets, problems);

  for (const [name, p] of Object.entries(raw.plugins ?? {})) checkUsers(p.users, `plugins.${name}.users`, problems);
  const hostNames = new Map<string, number>();
  const pending: Array<{ host: RawHost; index: number; nics: PendingNic[] }> = [];
  raw.vms.forEach((host, i) => {
    const seen = hostNames.get(host.name);
    if (seen !== undefined) problems.push({ path: `vms[${i}].name`, message: `duplicate host name "${host.name}" (also vms[${seen}])` });
    else hostNames.set(host.name, i);
    pending.push({ host, index: i, nics: checkHostNics(raw, host, i, nets, problems) });
  });

  // Auto-assignment runs after every static address is taken, so a static IP never loses to an auto one;
  // addresses kept from the deployed range come next, so they never lose to new ones.
  const pins = pinsOf(opts.pin);
  for (const p of pending) for (const nic of p.nics) keepPinned(nic, pins.get(p.host.name)?.get(nic.net.raw.name));
  for (const p of pending) {
    for (const nic of p.nics) {
      if (nic.addressing !== 'auto' || nic.ip !== null) continue;
      try {
        nic.ip = nic.net.alloc.allocate();
      } catch (e) {
        problems.push({ path: nic.path, message: `${(e as Error).message} (network ${nic.net.raw.name})` });
      }
    }
  }
  for (const n of nets.values()) {
    if (n.nics > MAX_NICS_PER_NETWORK)
      problems.push({
        path: `networks[${n.index}]`,
        message: `${n.nics} NICs on network ${n.raw.name}; a Linux bridge takes at most 1024 ports`,
      });
  }

  const hosts: ResolvedHost[] = [];
  const macs = new Map<string, string>();
  for (const p of pending) {
    const h = buildHost(raw, instance, p.host, p.index, p.nics, problems, pins.get(p.host.name));
    for (const nic of h.interfaces) {
      const other = macs.get(nic.mac);
      // A duplicate host name is reported already and derives the same MACs; don't report those twice.
      if (other && hostNames.get(h.name) === p.index)
        problems.push({ path: `vms[${p.index}].interfaces`, message: `MAC ${nic.mac} is also used by ${other}` });
      macs.set(nic.mac, `${h.name}/${nic.network}`);
    }
    hosts.push(h);
  }

  const policies = resolvePolicies(raw.policies ?? [], new Set(raw.vms.map((h) => h.name)), new Set(nets.keys()), problems);
  const rangeResources = raw.resources ? resolveResources(raw.resources, 'resources', problems) : null;
  if (problems.length > 0) throw new ValidationError(problems, opts.source);
  return deepFreeze({
    name: raw.name,
    instance,
    description: raw.description ?? null,
    networks: [...nets.values()].map(toResolvedNetwork),
    routes: (raw.routes ?? []).map(([a, b]) => [a, b] as const),
    policies,
    hosts,
    ...(rangeResources ? { resources: rangeResources } : {}),
  });
}

function resolveNetworks(raw: RawRange, problems: Problem[]): Map<string, NetCtx> {
  const nets = new Map<string, NetCtx>();
  raw.networks.forEach((n, i) => {
    const at = `networks[${i}]`;
    const parsed = parseCidr(n.subnet);
    if ('error' in parsed) {
      problems.push({ path: `${at}.subnet`, message: parsed.error });
      return;
    }
    const cidr = parsed.cidr;
    if (nets.has(n.name)) {
      problems.push({ path: `${at}.name`, message: `duplicate network name "${n.name}" (also networks[${nets.get(n.name)?.index}])` });
      return;
    }
    for (const other of nets.values()) {
      if (cidrsOverlap(cidr, other.cidr))
        problems.push({
          path: `${at}.subnet`,
          message: `${n.subnet} overlaps network ${other.raw.name} (${formatCidr(other.cidr)})`,
        });
    }
    // RFC 3021: both addresses of a /31 are hosts'; the range side carries no address there.
    const p2p = isPointToPoint(cidr);
    let gateway: number | null = p2p ? null : cidr.network + 1;
    if (p2p) checkPointToPoint(raw, n, at, problems);
    else if (n.gateway !== undefined) {
      const g = parseIpv4(n.gateway);
      if (g === null) problems.push({ path: `${at}.gateway`, message: `"${n.gateway}" is not an IPv4 address` });
      else if (!cidrContains(cidr, g)) problems.push({ path: `${at}.gateway`, message: `${n.gateway} is not in ${n.subnet}` });
      else if (g === cidr.network) problems.push({ path: `${at}.gateway`, message: `${n.gateway} is the network address of ${n.subnet}` });
      else if (g === broadcastOf(cidr))
        problems.push({ path: `${at}.gateway`, message: `${n.gateway} is the broadcast address of ${n.subnet}` });
      else gateway = g;
    }
    const reserved = parseReserved(n.reserved ?? [], cidr, `${at}.reserved`);
    problems.push(...reserved.problems);
    const pool = p2p ? null : resolvePool(n, cidr, gateway ?? cidr.network + 1, `${at}.dhcp`, problems);
    if (n.egress === 'bridge' && n.dhcp) {
      problems.push({ path: `${at}.dhcp`, message: "a network bridged onto a LAN uses the LAN's DHCP server; remove dhcp" });
    }
    (n.dns ?? []).forEach((d, j) => {
      if (parseIpv4(d) === null) problems.push({ path: `${at}.dns[${j}]`, message: `"${d}" is not an IPv4 address` });
    });
    if (n.host_bridge !== undefined && n.egress !== 'bridge')
      problems.push({ path: `${at}.host_bridge`, message: 'only used with egress: bridge' });
    const alloc = new SubnetAllocator(cidr, { gateway, reserved: pool ? [...reserved.ranges, pool] : reserved.ranges });
    nets.set(n.name, { index: i, raw: n, cidr, gateway, alloc, reserved: reserved.ranges, pool, nics: 0 });
  });
  return nets;
}

/** What a /31 point-to-point network cannot have: a gateway, a DHCP pool, NAT, routes (all need the range's own address on it). */
function checkPointToPoint(raw: RawRange, n: RawRange['networks'][number], at: string, problems: Problem[]): void {
  const why = `${n.subnet} is a point-to-point network (RFC 3021): both addresses are for hosts and the range has none there`;
  if (n.gateway !== undefined) problems.push({ path: `${at}.gateway`, message: `${why}, so it has no gateway; remove gateway` });
  if (n.dhcp) problems.push({ path: `${at}.dhcp`, message: `${why}, so no DHCP server; give the hosts static or auto addresses` });
  if (n.egress === 'nat') problems.push({ path: `${at}.egress`, message: `${why}, so nothing to NAT through; use a larger subnet` });
  (raw.routes ?? []).forEach(([a, b], i) => {
    if (a === n.name || b === n.name)
      problems.push({ path: `routes[${i}]`, message: `network ${n.name}: ${why}, so the range cannot route it; a multi-homed host can` });
  });
}

function resolvePool(
  n: RawRange['networks'][number],
  cidr: Cidr,
  gateway: number,
  at: string,
  problems: Problem[],
): readonly [number, number] | null {
  if (!n.dhcp) return null;
  if (n.dhcp === true) {
    // The upper half of the subnet, so the lower half stays free for static and auto addresses.
    // A gateway inside it splits it; the larger side is kept, so the pool never holds the gateway.
    let start = cidr.network + Math.max(cidr.size / 2, 2);
    let end = broadcastOf(cidr) - 1;
    if (gateway >= start && gateway <= end) {
      if (end - gateway >= gateway - start) start = gateway + 1;
      else end = gateway - 1;
    }
    if (start > end) {
      problems.push({
        path: at,
        message: `${n.subnet} has no room for a DHCP pool beside the gateway ${formatIpv4(gateway)}; use a larger subnet`,
      });
      return null;
    }
    return [start, end];
  }
  const s = parseIpv4(n.dhcp.start);
  const e = parseIpv4(n.dhcp.end);
  if (s === null || !cidrContains(cidr, s) || s === cidr.network)
    problems.push({ path: `${at}.start`, message: `${n.dhcp.start} is not a host address in ${n.subnet}` });
  if (e === null || !cidrContains(cidr, e) || e === broadcastOf(cidr))
    problems.push({ path: `${at}.end`, message: `${n.dhcp.end} is not a host address in ${n.subnet}` });
  if (s === null || e === null) return null;
  if (e < s) problems.push({ path: `${at}.end`, message: `${n.dhcp.end} is below start ${n.dhcp.start}` });
  if (gateway >= s && gateway <= e)
    problems.push({ path: at, message: `pool ${n.dhcp.start}-${n.dhcp.end} contains the gateway ${formatIpv4(gateway)}` });
  return [s, e];
}

function checkRoutes(raw: RawRange, nets: Map<string, NetCtx>, problems: Problem[]): void {
  (raw.routes ?? []).forEach(([a, b], i) => {
    if (!nets.has(a)) problems.push({ path: `routes[${i}][0]`, message: `unknown network "${a}"` });
    if (!nets.has(b)) problems.push({ path: `routes[${i}][1]`, message: `unknown network "${b}"` });
    if (a === b) problems.push({ path: `routes[${i}]`, message: `a route joins two different networks, not ${a} to itself` });
  });
}

/** The interfaces a host asked for, from `interfaces` or the legacy `network_id` + `ip_address`. */
function rawInterfacesOf(
  host: RawHost,
  at: string,
  problems: Problem[],
): Array<{ raw: RawInterface; path: string; netPath: string; ipPath: string }> {
  const legacy = host.network_id !== undefined || host.ip_address !== undefined;
  if (legacy && host.interfaces !== undefined) {
    problems.push({ path: `${at}.network_id`, message: 'give either interfaces or the legacy network_id/ip_address, not both' });
  }
  if (host.interfaces !== undefined)
    return host.interfaces.map((raw, j) => ({
      raw,
      path: `${at}.interfaces[${j}]`,
      netPath: `${at}.interfaces[${j}].network`,
      ipPath: `${at}.interfaces[${j}].ip`,
    }));
  if (host.network_id !== undefined)
    return [
      {
        raw: { network: host.network_id, ip: host.ip_address ?? null },
        path: `${at}.network_id`,
        netPath: `${at}.network_id`,
        ipPath: `${at}.ip_address`,
      },
    ];
  if (host.ip_address !== undefined) problems.push({ path: `${at}.ip_address`, message: 'needs network_id' });
  return [];
}

function checkHostNics(raw: RawRange, host: RawHost, i: number, nets: Map<string, NetCtx>, problems: Problem[]): PendingNic[] {
  const at = `vms[${i}]`;
  const plugin = host.plugin === undefined ? undefined : raw.plugins?.[host.plugin];
  if (host.plugin !== undefined && !plugin) {
    const known = Object.keys(raw.plugins ?? {});
    problems.push({
      path: `${at}.plugin`,
      message: `unknown plugin "${host.plugin}" (defined: ${known.length ? known.join(', ') : 'none'})`,
    });
  }
  const cfg = resolveNetworkConfig(plugin?.network, host.network);
  const wanted = rawInterfacesOf(host, at, problems);
  if (cfg.mode === 'vsock') {
    if (wanted.length > 0)
      problems.push({ path: `${at}.interfaces`, message: 'vsock mode has no network interfaces; remove them or choose bridged/dhcp' });
    for (const k of ['subnet', 'gateway', 'auto_assign'] as const)
      if (host.network?.[k] !== undefined) problems.push({ path: `${at}.network.${k}`, message: 'is not used in vsock mode' });
    return [];
  }
  if (wanted.length === 0) {
    problems.push({ path: `${at}.interfaces`, message: 'At least one network interface required' });
    return [];
  }
  const nics: PendingNic[] = [];
  const onHost = new Map<string, string>();
  for (const w of wanted) {
    if (w.raw.mac !== undefined && (Number.parseInt(w.raw.mac.slice(0, 2), 16) & 1) === 1)
      problems.push({
        path: `${w.path}.mac`,
        message: `${w.raw.mac} is a multicast MAC; a NIC needs a unicast one (first octet even, e.g. 02:…)`,
      });
    else if (w.raw.mac === '00:00:00:00:00:00')
      problems.push({ path: `${w.path}.mac`, message: 'the all-zero MAC cannot be given to a NIC' });
    const net = nets.get(w.raw.network);
    if (!net) {
      // A defined network whose subnet was refused is reported there already; calling it unknown would mislead.
      if (!raw.networks.some((n) => n.name === w.raw.network))
        problems.push({
          path: w.netPath,
          message: `unknown network "${w.raw.network}" (defined: ${[...nets.keys()].join(', ') || 'none'})`,
        });
      continue;
    }
    const dup = onHost.get(w.raw.network);
    if (dup) {
      problems.push({ path: w.netPath, message: `network ${w.raw.network} is already on this host (${dup})` });
      continue;
    }
    onHost.set(w.raw.network, w.path);
    net.nics++;
    const ipText = w.raw.ip ?? null;
    if (cfg.mode === 'dhcp') {
      if (ipText !== null) problems.push({ path: w.ipPath, message: `a static IP (${ipText}) is not allowed in dhcp mode` });
      else if (!net.pool && net.raw.egress !== 'bridge')
        problems.push({ path: w.path, message: `network ${net.raw.name} serves no DHCP (set dhcp: true on it)` });
      nics.push({ path: w.path, raw: w.raw, net, ip: null, addressing: 'dhcp' });
      continue;
    }
    if (ipText === null) {
      if (cfg.auto_assign === false) problems.push({ path: w.ipPath, message: 'no IP given and network.auto_assign is false' });
      nics.push({ path: w.path, raw: w.raw, net, ip: null, addressing: 'auto' });
      continue;
    }
    const ip = checkStaticIp(ipText, net, w.ipPath, problems);
    nics.push({ path: w.path, raw: w.raw, net, ip, addressing: 'static' });
  }
  const primary = nics[0]?.net;
  if (primary && host.network?.subnet !== undefined && host.network.subnet !== formatCidr(primary.cidr))
    problems.push({
      path: `${at}.network.subnet`,
      message: `${host.network.subnet} does not match primary network ${primary.raw.name} (${formatCidr(primary.cidr)})`,
    });
  if (primary && host.network?.gateway !== undefined && parseIpv4(host.network.gateway) !== primary.gateway)
    problems.push({
      path: `${at}.network.gateway`,
      message:
        primary.gateway === null
          ? `primary network ${primary.raw.name} (${formatCidr(primary.cidr)}) is point-to-point and has no gateway`
          : `${host.network.gateway} is not the gateway of primary network ${primary.raw.name} (${formatIpv4(primary.gateway)})`,
    });
  return nics;
}

function checkStaticIp(text: string, net: NetCtx, path: string, problems: Problem[]): number | null {
  const ip = parseIpv4(text);
  const where = `network ${net.raw.name} (${formatCidr(net.cidr)})`;
  if (ip === null) {
    problems.push({ path, message: `"${text}" is not an IPv4 address` });
    return null;
  }
  const reason = staticIpRefusal(ip, net);
  if (reason) problems.push({ path, message: `${text} ${reason} ${where}` });
  else {
    net.alloc.take(ip);
    return ip;
  }
  return null;
}

function buildHost(
  raw: RawRange,
  instance: string,
  host: RawHost,
  i: number,
  nics: PendingNic[],
  problems: Problem[],
  pinned: ReadonlyMap<string, ResolvedInterface> | undefined,
): ResolvedHost {
  const at = `vms[${i}]`;
  const plugin = host.plugin === undefined ? undefined : raw.plugins?.[host.plugin];
  const runtime = host.runtime ?? plugin?.runtime ?? 'netns';
  const image = host.image ?? plugin?.image ?? null;
  if (runtime === 'docker' && image === null)
    problems.push({ path: `${at}.image`, message: 'a docker host needs an image (on the host or its plugin)' });
  const cmd = host.command ?? plugin?.command;
  const command =
    cmd === undefined
      ? runtime === 'netns'
        ? [...DEFAULT_NETNS_COMMAND]
        : null
      : typeof cmd === 'string'
        ? ['/bin/sh', '-c', cmd]
        : [...cmd];
  const resources = resolveResources({ ...plugin?.resources, ...host.resources }, `${at}.resources`, problems);
  const mv = { ...plugin?.microvm, ...host.microvm };
  if (runtime !== 'microvm' && (host.microvm !== undefined || (plugin?.microvm !== undefined && host.runtime === undefined)))
    problems.push({ path: `${at}.microvm`, message: `only microvm hosts take microvm settings (runtime is ${runtime})` });
  if (runtime === 'microvm' && mv.init === 'disk') {
    // The disk's own init runs (systemd, cloud-init): Cyrange's initramfs only mounts the disk and switches to it.
    if (!mv.disk) problems.push({ path: `${at}.microvm.init`, message: 'init "disk" boots the disk\'s own init: it needs microvm.disk' });
    if (cmd !== undefined)
      problems.push({ path: `${at}.command`, message: 'a microvm host with init "disk" runs its disk\'s own init, not a command' });
  }
  checkUsers(host.users, `${at}.users`, problems);
  const users = resolveUsers(host.users ?? plugin?.users);
  const ifnames = ifnamesOf(
    nics.map((n) => n.net.raw.name),
    pinned,
  );
  const interfaces: ResolvedInterface[] = nics.map((n, j) => ({
    network: n.net.raw.name,
    ip: n.ip === null ? null : formatIpv4(n.ip),
    prefix: n.net.cidr.prefix,
    // A /31 has no gateway: '' (renderers and the host side then set no route through it).
    gateway: n.net.gateway === null ? '' : formatIpv4(n.net.gateway),
    addressing: n.addressing,
    mac: n.raw.mac ?? macFor(instance, host.name, n.net.raw.name),
    primary: j === 0,
    ifname: ifnames[j] ?? guestIfname(j),
    peer: peerIfname(host.name, n.net.raw.name),
    rateLimit: resolveRateLimit(n.raw.rate_limit),
  }));
  return {
    name: host.name,
    runtime,
    plugin: host.plugin ?? null,
    image,
    command,
    env: { ...plugin?.env, ...host.env },
    resources,
    network: resolveNetworkConfig(plugin?.network, host.network),
    interfaces,
    ipForward: host.ip_forward ?? false,
    hidden: host.hidden ?? false,
    vncPort: host.vnc_port ?? null,
    ...(runtime === 'netns'
      ? { rootfs: host.rootfs ?? plugin?.rootfs ?? DEFAULT_ROOTFS, sandbox: host.sandbox ?? plugin?.sandbox ?? 'runc' }
      : {}),
    microvm:
      runtime === 'microvm'
        ? {
            launcher: mv.launcher ?? 'qemu',
            kernel: mv.kernel ?? null,
            initrd: mv.initrd ?? null,
            disk: mv.disk ?? null,
            append: mv.append ?? null,
            // Only when not the default, so ranges stored before the field resolve the same.
            ...(mv.init === 'disk' ? { init: 'disk' as const } : {}),
          }
        : null,
    ...(users.length > 0 ? { users } : {}),
  };
}

/** The login shell of a user that names none (what Debian's useradd and busybox give). */
export const DEFAULT_USER_SHELL = '/bin/sh';

/**
 * Checks one `users` list: unique names, and passwords only as hashes. A plain `password` must have been
 * hashed when the blueprint was loaded (the engine's `hashBlueprintPasswords`); one that reaches the
 * resolver is refused, so plain text is never resolved, stored or served. No message repeats a password.
 */
function checkUsers(users: readonly RawUser[] | undefined, at: string, problems: Problem[]): void {
  const seen = new Map<string, number>();
  (users ?? []).forEach((u, j) => {
    const other = seen.get(u.name);
    if (other !== undefined) problems.push({ path: `${at}[${j}].name`, message: `duplicate user "${u.name}" (also ${at}[${other}])` });
    else seen.set(u.name, j);
    if (u.password !== undefined && u.passwd !== undefined)
      problems.push({ path: `${at}[${j}]`, message: 'give either password (plain text) or passwd (a crypt hash), not both' });
    else if (u.password !== undefined)
      problems.push({
        path: `${at}[${j}].password`,
        message: 'a plain-text password is not accepted here; give passwd: a crypt(3) hash (e.g. from `openssl passwd -6`)',
      });
  });
}

/** A host's users as the engine and the renderers use them (the host's list replaces its plugin's). */
function resolveUsers(users: readonly RawUser[] | undefined): ResolvedUser[] {
  return (users ?? []).map((u) => ({
    name: u.name,
    passwd: u.passwd ?? null,
    sshAuthorizedKeys: [...(u.ssh_authorized_keys ?? [])],
    sudo: u.sudo ?? false,
    shell: u.shell ?? DEFAULT_USER_SHELL,
  }));
}

/** A NIC's `rate_limit` as the engine uses it; null when it limits no direction. */
export function resolveRateLimit(raw: RawRateLimit | undefined): RateLimit | null {
  if (!raw || (raw.ingress_mbps === undefined && raw.egress_mbps === undefined)) return null;
  return { ingressMbps: raw.ingress_mbps ?? null, egressMbps: raw.egress_mbps ?? null, burstKb: raw.burst_kb ?? DEFAULT_BURST_KB };
}

function toResolvedNetwork(n: NetCtx): ResolvedNetwork {
  const d = n.raw.dhcp;
  return {
    name: n.raw.name,
    subnet: formatCidr(n.cidr),
    prefix: n.cidr.prefix,
    gateway: n.gateway === null ? '' : formatIpv4(n.gateway),
    egress: n.raw.egress ?? 'none',
    hostBridge: n.raw.host_bridge ?? null,
    dhcp: n.pool
      ? {
          start: formatIpv4(n.pool[0]),
          end: formatIpv4(n.pool[1]),
          leaseSeconds: typeof d === 'object' ? (d.lease_seconds ?? DEFAULT_LEASE_SECONDS) : DEFAULT_LEASE_SECONDS,
        }
      : null,
    dns: n.raw.dns ?? [],
    reserved: n.reserved.map(([a, b]) => (a === b ? formatIpv4(a) : `${formatIpv4(a)}-${formatIpv4(b)}`)),
    bridge: bridgeIfname(n.raw.name),
  };
}

/** The deployed NICs of each host by network, from `ResolveOptions.pin`. */
function pinsOf(pin: ResolvedRange | undefined): Map<string, Map<string, ResolvedInterface>> {
  return new Map((pin?.hosts ?? []).map((h) => [h.name, new Map(h.interfaces.map((n) => [n.network, n]))]));
}

/** Gives an auto NIC the address its host has on that network now, when it is still free for auto-assignment. */
function keepPinned(nic: PendingNic, old: ResolvedInterface | undefined): void {
  if (nic.addressing !== 'auto' || !old?.ip) return;
  const ip = parseIpv4(old.ip);
  if (ip === null || nic.net.alloc.refusal(ip) !== null || nic.net.alloc.isReserved(ip)) return;
  nic.net.alloc.take(ip);
  nic.ip = ip;
}

/**
 * Interface names of a host's NICs, in order: `eth0` for the primary and `ethN` by position, or, when
 * the host is deployed with the same primary network, the names its NICs have now, new ones taking
 * the lowest free `ethN` (as `nic add` does), so adding or removing a NIC renames no other.
 */
function ifnamesOf(networks: readonly string[], pinned: ReadonlyMap<string, ResolvedInterface> | undefined): string[] {
  const deployedPrimary = pinned ? [...pinned.values()].find((n) => n.primary)?.network : undefined;
  if (!pinned || deployedPrimary === undefined || deployedPrimary !== networks[0]) return networks.map((_, j) => guestIfname(j));
  const used = new Set<string>();
  for (const n of networks) {
    const kept = pinned.get(n)?.ifname;
    if (kept !== undefined) used.add(kept);
  }
  let next = 0;
  return networks.map((n) => {
    const kept = pinned.get(n)?.ifname;
    if (kept !== undefined) return kept;
    while (used.has(guestIfname(next))) next++;
    const name = guestIfname(next);
    used.add(name);
    return name;
  });
}

/** Freezes an object graph so resolved data cannot be changed behind the engine's back. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
