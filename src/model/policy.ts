import { z } from 'zod';
import type { Problem } from './errors.js';
import { parseCidr } from './ip.js';
import type { ResolvedPolicy } from './types.js';

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'any'] as const;

/** One traffic rule of a blueprint: on a host or a whole network, evaluated lowest priority first. */
export const RawPolicy = z.strictObject({
  host: z.string().optional(),
  network: z.string().optional(),
  direction: z.enum(['ingress', 'egress']),
  protocol: z.enum(PROTOCOLS).default('any'),
  /** A port (80) or a range ("1000-2000"); only with tcp or udp. */
  port: z
    .union([
      z.number().int().min(1).max(65535),
      z.string().regex(/^\d{1,5}-\d{1,5}$/, { error: 'must be a port or a range like 1000-2000' }),
    ])
    .optional(),
  /** The other side: a CIDR (source for ingress, destination for egress). */
  peer: z.string().optional(),
  action: z.enum(['allow', 'deny']),
  priority: z.number().int().min(0).max(65535).default(100),
});
export type RawPolicy = z.infer<typeof RawPolicy>;

/** Checks raw policies against a range's hosts and networks; returns them sorted, lowest priority first. */
export function resolvePolicies(
  raw: readonly RawPolicy[],
  hosts: ReadonlySet<string>,
  networks: ReadonlySet<string>,
  problems: Problem[],
  at = 'policies',
): ResolvedPolicy[] {
  const out: ResolvedPolicy[] = [];
  raw.forEach((p, i) => {
    const path = `${at}[${i}]`;
    const before = problems.length;
    if ((p.host === undefined) === (p.network === undefined)) problems.push({ path, message: 'give exactly one of host or network' });
    if (p.host !== undefined && !hosts.has(p.host)) problems.push({ path: `${path}.host`, message: `unknown host "${p.host}"` });
    if (p.network !== undefined && !networks.has(p.network))
      problems.push({ path: `${path}.network`, message: `unknown network "${p.network}"` });
    let ports: readonly [number, number] | null = null;
    if (p.port !== undefined) {
      if (p.protocol !== 'tcp' && p.protocol !== 'udp')
        problems.push({ path: `${path}.port`, message: `ports apply to tcp or udp, not ${p.protocol}` });
      const [lo = 0, hi = lo] = typeof p.port === 'number' ? [p.port] : p.port.split('-').map(Number);
      if (lo < 1 || hi > 65535 || hi < lo)
        problems.push({ path: `${path}.port`, message: `"${p.port}" is not a port range within 1-65535` });
      else ports = [lo, hi];
    }
    let peer: string | null = null;
    if (p.peer !== undefined) {
      const c = parseCidr(p.peer.includes('/') ? p.peer : `${p.peer}/32`, { min: 0, max: 32 });
      if ('error' in c) problems.push({ path: `${path}.peer`, message: c.error });
      else peer = p.peer.includes('/') ? p.peer : `${p.peer}/32`;
    }
    if (problems.length > before) return;
    out.push({
      index: i,
      target: p.host !== undefined ? { kind: 'host', name: p.host } : { kind: 'network', name: p.network as string },
      direction: p.direction,
      protocol: p.protocol,
      ports,
      peer,
      action: p.action,
      priority: p.priority,
    });
  });
  return out.sort((a, b) => a.priority - b.priority || a.index - b.index);
}
