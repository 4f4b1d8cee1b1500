import { uncancellable } from '../sys/index.js';
import { clearRateLimit, unwireNic } from '../dataplane/index.js';
import { CyrangeError, type ResolvedInterface } from '../model/index.js';
import { getRuntime } from '../runtimes/index.js';
import { nicsOf } from './attachments.js';
import { type EngineContext, rangeContext } from './context.js';
import { type StepResult, step } from './events.js';
import { withLock } from './lock.js';
import { refreshFirewall } from './policies.js';

/**
 * Adds a NIC to a deployed host: the store takes the lease first (same rules as a blueprint),
 * then the NIC is wired and configured in the running host. If the kernel part fails, the
 * store change is undone, so `inspect` and the store always agree.
 */
export function addNic(
  ctx: EngineContext,
  instance: string,
  hostName: string,
  network: string,
  ip?: string | null,
): Promise<ResolvedInterface> {
  return withLock(rangeContext(ctx, instance).runDir, 'nic add', () => addNicLocked(ctx, instance, hostName, network, ip));
}

async function addNicLocked(
  ctx: EngineContext,
  instance: string,
  hostName: string,
  network: string,
  ip?: string | null,
): Promise<ResolvedInterface> {
  const nic = await ctx.store.addInterface(instance, hostName, network, ip);
  const results: StepResult[] = [];
  try {
    await step({ emit: ctx.emit, results, op: 'nic', instance }, `nic-add:${hostName}:${network}`, async () => {
      const rec = await ctx.store.getRange(instance);
      const host = rec?.resolved.hosts.find((h) => h.name === hostName);
      if (!rec || !host) throw new CyrangeError('CYR_NOT_FOUND', `host "${hostName}" vanished`);
      const rt = getRuntime(host.runtime);
      const rctx = rangeContext(ctx, instance, rec.resolved);
      const state = await rt.state(rctx, host);
      if (state === 'missing') return;
      await rt.nics.plug(rctx, rec.resolved, host, nic, state);
      // Anti-spoofing and policies name each NIC's port.
      await refreshFirewall(ctx, rec.resolved);
    });
  } catch (e) {
    // Undone outside the operation's signal: an aborted edit is still put back.
    await uncancellable(async () => {
      await unwireNic(instance, nic.peer).catch(() => {});
      await ctx.store.removeInterface(instance, hostName, network);
    });
    throw e;
  }
  return nic;
}

/** Removes a NIC from a deployed host: the store first (the primary is refused), then the kernel. */
export function removeNic(ctx: EngineContext, instance: string, hostName: string, network: string): Promise<ResolvedInterface> {
  return withLock(rangeContext(ctx, instance).runDir, 'nic rm', () => removeNicLocked(ctx, instance, hostName, network));
}

async function removeNicLocked(ctx: EngineContext, instance: string, hostName: string, network: string): Promise<ResolvedInterface> {
  const before = await ctx.store.getRange(instance);
  const host = before?.resolved.hosts.find((h) => h.name === hostName);
  const nic = await ctx.store.removeInterface(instance, hostName, network);
  const results: StepResult[] = [];
  await step({ emit: ctx.emit, results, op: 'nic', instance }, `nic-rm:${hostName}:${network}`, async () => {
    const rctx = rangeContext(ctx, instance);
    if (host) await nicsOf(host).unplug(rctx, host, nic);
    else {
      // Deleting the range end deletes both ends; a NIC already gone is fine.
      await unwireNic(instance, nic.peer).catch(() => {});
      await clearRateLimit(instance, hostName, nic).catch(() => {});
    }
    const after = await ctx.store.getRange(instance);
    if (after?.status === 'running') await refreshFirewall(ctx, after.resolved);
  });
  return nic;
}
