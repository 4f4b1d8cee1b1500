import { type Problem, CyrangeError, ValidationError } from './errors.js';
import { formatIpv4, parseCidr, parseIpv4, parseReserved } from './ip.js';
import { SubnetAllocator, staticIpRefusal } from './ipam.js';
import { guestIfname, macFor, peerIfname } from './naming.js';
import { deepFreeze } from './resolve.js';
import type { ResolvedHost, ResolvedInterface, ResolvedRange } from './types.js';

function findHost(range: ResolvedRange, hostName: string): ResolvedHost {
  const host = range.hosts.find((h) => h.name === hostName);
  if (!host)
    throw new CyrangeError(
      'CYR_NOT_FOUND',
      `no host "${hostName}" in "${range.instance}" (hosts: ${range.hosts.map((h) => h.name).join(', ')})`,
    );
  return host;
}

function withHost(range: ResolvedRange, host: ResolvedHost): ResolvedRange {
  return deepFreeze({ ...range, hosts: range.hosts.map((h) => (h.name === host.name ? host : h)) });
}

/** The lowest `ethN` a host does not use yet, so names stay stable when others are removed. */
function nextIfname(host: ResolvedHost): string {
  const used = new Set(host.interfaces.map((n) => n.ifname));
  let i = 0;
  while (used.has(guestIfname(i))) i++;
  return guestIfname(i);
}

/**
 * Adds a NIC on `network` to a host of a resolved range, with the blueprint's rules: the network
 * exists, the host is not on it yet, a static IP is in the subnet and free, no static IP in dhcp
 * mode, no NIC at all in vsock mode. Without an IP a bridged host gets the lowest free address.
 */
export function addInterfaceTo(
  range: ResolvedRange,
  hostName: string,
  network: string,
  ip?: string | null,
): { range: ResolvedRange; nic: ResolvedInterface } {
  const host = findHost(range, hostName);
  const problems: Problem[] = [];
  const net = range.networks.find((n) => n.name === network);
  if (!net)
    throw new ValidationError([
      { path: 'network', message: `unknown network "${network}" (defined: ${range.networks.map((n) => n.name).join(', ')})` },
    ]);
  if (host.network.mode === 'vsock')
    throw new ValidationError([{ path: 'network', message: `host ${hostName} is in vsock mode and has no network interfaces` }]);
  if (host.interfaces.some((n) => n.network === network))
    throw new ValidationError([{ path: 'network', message: `network ${network} is already on host ${hostName}` }]);
  const parsed = parseCidr(net.subnet);
  if ('error' in parsed) throw new CyrangeError('CYR_INTERNAL', parsed.error);
  const cidr = parsed.cidr;
  // '' on a /31, which has no gateway.
  const gateway = parseIpv4(net.gateway);
  const pool = net.dhcp ? ([parseIpv4(net.dhcp.start) as number, parseIpv4(net.dhcp.end) as number] as const) : null;
  const reserved = parseReserved(net.reserved ?? [], cidr, 'reserved').ranges;
  const alloc = new SubnetAllocator(cidr, { gateway, reserved: pool ? [...reserved, pool] : reserved });
  for (const h of range.hosts) for (const n of h.interfaces) if (n.network === network && n.ip) alloc.take(parseIpv4(n.ip) as number);
  const where = `network ${network} (${net.subnet})`;
  let addr: string | null = null;
  let addressing: ResolvedInterface['addressing'] = 'auto';
  if (host.network.mode === 'dhcp') {
    if (ip) problems.push({ path: 'ip', message: `a static IP (${ip}) is not allowed in dhcp mode` });
    addressing = 'dhcp';
  } else if (ip) {
    const a = parseIpv4(ip);
    addressing = 'static';
    if (a === null) problems.push({ path: 'ip', message: `"${ip}" is not an IPv4 address` });
    else {
      const reason = staticIpRefusal(a, { cidr, gateway, pool, alloc });
      if (reason) problems.push({ path: 'ip', message: `${ip} ${reason} ${where}` });
      else addr = ip;
    }
  } else if (host.network.auto_assign === false) {
    problems.push({ path: 'ip', message: `no IP given and host ${hostName} has network.auto_assign false` });
  } else {
    addr = formatIpv4(alloc.allocate());
  }
  if (problems.length) throw new ValidationError(problems);
  const nic: ResolvedInterface = {
    network,
    ip: addr,
    prefix: cidr.prefix,
    gateway: net.gateway,
    addressing,
    mac: macFor(range.instance, hostName, network),
    primary: host.interfaces.length === 0,
    ifname: nextIfname(host),
    peer: peerIfname(hostName, network),
    rateLimit: null,
  };
  return { range: withHost(range, { ...host, interfaces: [...host.interfaces, nic] }), nic };
}

/** Removes a host's NIC on `network`; the primary NIC cannot be removed. */
export function removeInterfaceFrom(
  range: ResolvedRange,
  hostName: string,
  network: string,
): { range: ResolvedRange; nic: ResolvedInterface } {
  const host = findHost(range, hostName);
  const nic = host.interfaces.find((n) => n.network === network);
  if (!nic) throw new CyrangeError('CYR_NOT_FOUND', `host ${hostName} has no interface on network ${network}`);
  if (nic.primary)
    throw new CyrangeError('CYR_CONFLICT', `the primary interface of host ${hostName} (network ${network}) cannot be removed`, {
      hint: 'remove the host, or switch it to vsock mode',
    });
  return { range: withHost(range, { ...host, interfaces: host.interfaces.filter((n) => n !== nic) }), nic };
}
