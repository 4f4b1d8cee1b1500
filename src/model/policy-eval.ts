import { cidrContains, parseCidr, parseIpv4 } from './ip.js';
import type { ResolvedHost, ResolvedInterface, ResolvedPolicy, ResolvedRange } from './types.js';

/** One probe: from a host's NIC to another host's address, with a protocol and (for tcp/udp) a port. */
export interface Probe {
  readonly from: ResolvedHost;
  readonly fromNic: ResolvedInterface;
  readonly to: ResolvedHost;
  readonly toNic: ResolvedInterface;
  readonly protocol: 'tcp' | 'udp' | 'icmp';
  readonly port: number | null;
}

function targets(p: ResolvedPolicy, host: ResolvedHost, nic: ResolvedInterface): boolean {
  return p.target.kind === 'host' ? p.target.name === host.name : p.target.name === nic.network;
}

function matches(p: ResolvedPolicy, probe: Probe, otherIp: string | null): boolean {
  if (p.protocol !== 'any' && p.protocol !== probe.protocol) return false;
  if (p.ports && (probe.port === null || probe.port < p.ports[0] || probe.port > p.ports[1])) return false;
  if (p.peer) {
    const c = parseCidr(p.peer, { min: 0, max: 32 });
    const ip = otherIp ? parseIpv4(otherIp) : null;
    if ('error' in c || ip === null || !cidrContains(c.cidr, ip)) return false;
  }
  return true;
}

/** First matching rule's action, or null when none matches (the chain's default: allow). */
function firstMatch(rules: readonly ResolvedPolicy[], probe: Probe): 'allow' | 'deny' | null {
  for (const p of rules) {
    const egress = p.direction === 'egress' && targets(p, probe.from, probe.fromNic) && matches(p, probe, probe.toNic.ip);
    const ingress = p.direction === 'ingress' && targets(p, probe.to, probe.toNic) && matches(p, probe, probe.fromNic.ip);
    if (egress || ingress) return p.action;
  }
  return null;
}

/**
 * What the range should let through for one probe: the networks must be the same or routed, and
 * the policies must allow it. Mirrors the bridge table: on one network a single chain sees both
 * hosts' rules; routed traffic passes the sender's egress rules and then the receiver's ingress rules.
 */
export function expectedReachable(range: ResolvedRange, probe: Probe): boolean {
  const a = probe.fromNic.network;
  const b = probe.toNic.network;
  const sameNet = a === b;
  if (!sameNet && !range.routes.some(([x, y]) => (x === a && y === b) || (x === b && y === a))) return false;
  if (sameNet) return firstMatch(range.policies, probe) !== 'deny';
  const egress = range.policies.filter((p) => p.direction === 'egress');
  const ingress = range.policies.filter((p) => p.direction === 'ingress');
  return firstMatch(egress, probe) !== 'deny' && firstMatch(ingress, probe) !== 'deny';
}

/** The NIC of `from` that traffic to `to` leaves by: one on the same network, else the primary. */
export function sourceNic(from: ResolvedHost, to: ResolvedInterface): ResolvedInterface | undefined {
  return from.interfaces.find((n) => n.network === to.network) ?? from.interfaces.find((n) => n.primary);
}
