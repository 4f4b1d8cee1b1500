import type { UplinkPlan } from '../dataplane/index.js';
import { CyrangeError, type ResolvedRange, formatIpv4, parseCidr, stableHash } from '../model/index.js';

/** Whether a range needs a NAT uplink. */
export function needsUplink(range: ResolvedRange): boolean {
  return range.networks.some((n) => n.egress === 'nat');
}

/** The /30 of uplink slot `slot` in `pool`: far end `.1`, range end `.2`. */
export function uplinkPlan(instance: string, pool: string, slot: number, farNetns: string): UplinkPlan {
  const p = parseCidr(pool);
  if ('error' in p) throw new CyrangeError('CYR_INVALID', `CYRANGE_UPLINK_POOL: ${p.error}`);
  if ((slot + 1) * 4 > p.cidr.size) throw new CyrangeError('CYR_IPAM_EXHAUSTED', `uplink pool ${pool} has no free /30 left`);
  const base = p.cidr.network + slot * 4;
  return { farNetns, farIfname: `cyu${stableHash(['uplink', instance], 11)}`, farIp: formatIpv4(base + 1), nearIp: formatIpv4(base + 2) };
}
