import { applyRateLimit } from '../dataplane/index.js';
import { CyrangeError, type RateLimit, type ResolvedInterface, ValidationError, deepFreeze } from '../model/index.js';
import { runDirOf } from './config.js';
import type { EngineContext } from './context.js';
import { withLock } from './lock.js';

function checkLimit(limit: RateLimit | null): void {
  if (limit === null) return;
  const problems: { path: string; message: string }[] = [];
  for (const [k, v] of [
    ['ingress_mbps', limit.ingressMbps],
    ['egress_mbps', limit.egressMbps],
    ['burst_kb', limit.burstKb],
  ] as const)
    if (v !== null && !(Number.isFinite(v) && v > 0)) problems.push({ path: `rate_limit.${k}`, message: `${v} is not a positive number` });
  if (limit.ingressMbps === null && limit.egressMbps === null)
    problems.push({ path: 'rate_limit', message: 'give ingress_mbps, egress_mbps or both (or clear the limit)' });
  if (problems.length) throw new ValidationError(problems);
}

/**
 * Sets (or, with null, clears) the rate limit of one NIC of a host without a redeploy: the stored
 * range is updated first, then the limit is applied when the range runs. Returns the updated NIC.
 */
export function setRateLimit(
  ctx: EngineContext,
  instance: string,
  hostName: string,
  network: string,
  limit: RateLimit | null,
): Promise<ResolvedInterface> {
  checkLimit(limit);
  return withLock(runDirOf(ctx.cfg, instance), 'limit', async () => {
    const nic = await ctx.store.updateRange(instance, (r) => {
      const host = r.hosts.find((h) => h.name === hostName);
      if (!host)
        throw new CyrangeError('CYR_NOT_FOUND', `no host "${hostName}" in "${instance}" (hosts: ${r.hosts.map((h) => h.name).join(', ')})`);
      const old = host.interfaces.find((n) => n.network === network);
      if (!old) throw new CyrangeError('CYR_NOT_FOUND', `host ${hostName} has no interface on network ${network}`);
      const next: ResolvedInterface = { ...old, rateLimit: limit };
      const hosts = r.hosts.map((h) => (h === host ? { ...h, interfaces: h.interfaces.map((n) => (n === old ? next : n)) } : h));
      return { range: deepFreeze({ ...r, hosts }), result: next };
    });
    const rec = await ctx.store.getRange(instance);
    if (rec?.status === 'running') await applyRateLimit(instance, hostName, nic);
    return nic;
  });
}
