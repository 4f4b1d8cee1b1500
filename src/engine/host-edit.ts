import { clearRateLimit, stopDhcpClients, unwireNic } from '../dataplane/index.js';
import { CyrangeError, type ResolvedHost, type ResolvedRange, addHostTo, removeHostFrom, toVsockMode } from '../model/index.js';
import { getRuntime } from '../runtimes/index.js';
import { type EngineContext, build, rangeContext } from './deploy.js';
import type { StepResult } from './events.js';
import { withLock } from './lock.js';
import { refreshFirewall } from './policies.js';

async function removeFromKernel(ctx: EngineContext, instance: string, host: ResolvedHost): Promise<void> {
  const rctx = rangeContext(ctx, instance);
  await stopDhcpClients(rctx.runDir, host);
  await getRuntime(host.runtime).destroy(rctx, [host]);
  await releaseNics(instance, host);
}

/** Removes a host's NICs from the range namespace, with the ifb of each limited one. */
async function releaseNics(instance: string, host: ResolvedHost): Promise<void> {
  for (const nic of host.interfaces) {
    await unwireNic(instance, nic.peer).catch(() => {});
    // A limited NIC's ifb lives in the range namespace and would outlive the host.
    if (nic.rateLimit) await clearRateLimit(instance, host.name, nic).catch(() => {});
  }
}

/**
 * Adds a host to an instance: the store records it with every blueprint rule applied (addresses
 * allocated), then, on a running range, the host is built. A failed build is undone in both.
 */
export function addHost(
  ctx: EngineContext,
  instance: string,
  input: unknown,
  admit: (range: ResolvedRange) => void,
): Promise<ResolvedHost> {
  return withLock(rangeContext(ctx, instance).runDir, 'host add', async () => {
    if (!ctx.store.updateRange) throw new CyrangeError('CYR_INTERNAL', 'store cannot edit ranges');
    const host = await ctx.store.updateRange(instance, (r) => {
      const out = addHostTo(r, input);
      admit(out.range);
      return { range: out.range, result: out.host };
    });
    const rec = await ctx.store.getRange(instance);
    if (rec?.status !== 'running') return host;
    try {
      const results: StepResult[] = [];
      await build(ctx, rec, [host], results, false);
      await refreshFirewall(ctx, (await ctx.store.getRange(instance))?.resolved ?? rec.resolved);
    } catch (e) {
      await removeFromKernel(ctx, instance, host).catch(() => {});
      await ctx.store.updateRange(instance, (r) => ({ range: removeHostFrom(r, host.name).range, result: null }));
      throw e;
    }
    return host;
  });
}

/** Removes a host from an instance: its objects first, then the store. */
export function removeHost(ctx: EngineContext, instance: string, name: string): Promise<ResolvedHost> {
  return withLock(rangeContext(ctx, instance).runDir, 'host remove', async () => {
    const rec = await ctx.store.getRange(instance);
    const host = rec?.resolved.hosts.find((h) => h.name === name);
    if (!rec || !host) throw new CyrangeError('CYR_NOT_FOUND', `no host "${name}" in "${instance}"`);
    await removeFromKernel(ctx, instance, host);
    if (!ctx.store.updateRange) throw new CyrangeError('CYR_INTERNAL', 'store cannot edit ranges');
    const next = await ctx.store.updateRange(instance, (r) => {
      const out = removeHostFrom(r, name).range;
      return { range: out, result: out };
    });
    if (rec.status === 'running') await refreshFirewall(ctx, next);
    return host;
  });
}

/**
 * Moves a deployed host to vsock mode: its NICs are removed from the kernel and its leases from
 * the store in the same operation; it is restarted with only its host-local control channel.
 */
export function moveToVsock(ctx: EngineContext, instance: string, name: string): Promise<ResolvedHost> {
  return withLock(rangeContext(ctx, instance).runDir, 'host vsock', async () => {
    if (!ctx.store.updateRange) throw new CyrangeError('CYR_INTERNAL', 'store cannot edit ranges');
    const before = await ctx.store.getRange(instance);
    const old = before?.resolved.hosts.find((h) => h.name === name);
    if (!before || !old) throw new CyrangeError('CYR_NOT_FOUND', `no host "${name}" in "${instance}"`);
    const next = await ctx.store.updateRange(instance, (r) => {
      const out = toVsockMode(r, name).range;
      return { range: out, result: out };
    });
    const host = next.hosts.find((h) => h.name === name) as ResolvedHost;
    if (before.status !== 'running') return host;
    const rctx = rangeContext(ctx, instance);
    const rt = getRuntime(host.runtime);
    await stopDhcpClients(rctx.runDir, old);
    await rt.stop(rctx, old);
    await releaseNics(instance, old);
    await refreshFirewall(ctx, next);
    await rt.boot(rctx, host);
    await rt.start(rctx, host);
    return host;
  });
}
