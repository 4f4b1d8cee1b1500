import { uncancellable } from '../sys/index.js';
import { clearRateLimit, stopDhcpClients, unwireNic } from '../dataplane/index.js';
import {
  CyrangeError,
  type NetworkMode,
  type ResolvedHost,
  type ResolvedRange,
  addHostTo,
  addInterfaceTo,
  deepFreeze,
  hostNetns,
  removeHostFrom,
  toVsockMode,
} from '../model/index.js';
import { getRuntime } from '../runtimes/index.js';
import { type EngineContext, rangeContext } from './context.js';
import { build } from './bring-up.js';
import type { StepResult } from './events.js';
import { ensureGuestUsers } from './guest-users.js';
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

function updater(ctx: EngineContext): EngineContext['store']['updateRange'] {
  return ctx.store.updateRange.bind(ctx.store);
}

/** Replaces one host of a range (by name) with `next`. */
function withHost(r: ResolvedRange, next: ResolvedHost): ResolvedRange {
  return deepFreeze({ ...r, hosts: r.hosts.map((h) => (h.name === next.name ? next : h)) });
}

/**
 * Adds a resolved host to an instance, the caller holding its lock: the store records it, then,
 * on a running range, it is built (not yet in the firewall: the caller refreshes it). A failed build
 * is undone in both.
 */
export async function addResolvedHostLocked(
  ctx: EngineContext,
  instance: string,
  host: ResolvedHost,
  results: StepResult[] = [],
): Promise<ResolvedHost> {
  await updater(ctx)(instance, (r) => {
    if (r.hosts.some((h) => h.name === host.name))
      throw new CyrangeError('CYR_EXISTS', `a host named "${host.name}" already exists in ${instance}`);
    return { range: deepFreeze({ ...r, hosts: [...r.hosts, host] }), result: null };
  });
  const rec = await ctx.store.getRange(instance);
  if (rec?.status !== 'running') return host;
  try {
    await build(ctx, rec, [host], results, false);
  } catch (e) {
    // Undone outside the operation's signal: an aborted edit is still put back.
    await uncancellable(async () => {
      await removeFromKernel(ctx, instance, host).catch(() => {});
      await updater(ctx)(instance, (r) => ({ range: removeHostFrom(r, host.name).range, result: null }));
    });
    throw e;
  }
  return host;
}

/** Removes a host from an instance, the caller holding its lock: its objects first, then the store. The firewall is the caller's to refresh. */
export async function removeHostLocked(
  ctx: EngineContext,
  instance: string,
  name: string,
): Promise<{ host: ResolvedHost; range: ResolvedRange }> {
  const rec = await ctx.store.getRange(instance);
  const host = rec?.resolved.hosts.find((h) => h.name === name);
  if (!rec || !host) throw new CyrangeError('CYR_NOT_FOUND', `no host "${name}" in "${instance}"`);
  await removeFromKernel(ctx, instance, host);
  const range = await updater(ctx)(instance, (r) => {
    const out = removeHostFrom(r, name).range;
    return { range: out, result: out };
  });
  return { host, range };
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
    const host = await updater(ctx)(instance, (r) => {
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
      // Undone outside the operation's signal: an aborted edit is still put back.
      await uncancellable(async () => {
        await removeFromKernel(ctx, instance, host).catch(() => {});
        await updater(ctx)(instance, (r) => ({ range: removeHostFrom(r, host.name).range, result: null }));
      });
      throw e;
    }
    return host;
  });
}

/** Removes a host from an instance: its objects first, then the store. */
export function removeHost(ctx: EngineContext, instance: string, name: string): Promise<ResolvedHost> {
  return withLock(rangeContext(ctx, instance).runDir, 'host remove', async () => {
    const status = (await ctx.store.getRange(instance))?.status;
    const { host, range } = await removeHostLocked(ctx, instance, name);
    if (status === 'running') await refreshFirewall(ctx, range);
    return host;
  });
}

/**
 * Moves a deployed host to another network mode with its NICs, the caller holding the lock: the
 * store records `next` (same host, new mode and NICs: none in vsock mode, so its leases are
 * released); a running host is stopped, its old NICs removed, and it is started again wired with
 * the new ones. Its data (upper layer, container, disk) stays. The firewall is the caller's to refresh.
 */
export async function changeModeLocked(ctx: EngineContext, instance: string, next: ResolvedHost): Promise<ResolvedRange> {
  const before = await ctx.store.getRange(instance);
  const old = before?.resolved.hosts.find((h) => h.name === next.name);
  if (!before || !old) throw new CyrangeError('CYR_NOT_FOUND', `no host "${next.name}" in "${instance}"`);
  if (old.runtime !== next.runtime) throw new CyrangeError('CYR_INTERNAL', `host "${next.name}": a mode change keeps the runtime`);
  const range = await updater(ctx)(instance, (r) => {
    const out = withHost(r, next);
    return { range: out, result: out };
  });
  if (before.status !== 'running') return range;
  const rctx = rangeContext(ctx, instance, range);
  const rt = getRuntime(next.runtime);
  await stopDhcpClients(rctx.runDir, old);
  await rt.stop(rctx, old);
  await releaseNics(instance, old);
  const h = { host: next, netns: hostNetns(instance, next.name) };
  await rt.boot(rctx, next);
  if (next.interfaces.length > 0) {
    await rt.nics.wire(range, [h]);
    await rt.nics.configure(rctx, h);
  }
  await rt.start(rctx, next);
  rt.nics.startClients(rctx, h);
  await ensureGuestUsers(rt, rctx, next);
  return range;
}

/**
 * Moves a deployed host to vsock mode: its NICs are removed from the kernel and its leases from
 * the store in the same operation; it is restarted with only its host-local control channel.
 */
export function moveToVsock(ctx: EngineContext, instance: string, name: string): Promise<ResolvedHost> {
  return withLock(rangeContext(ctx, instance).runDir, 'host vsock', async () => {
    const before = await ctx.store.getRange(instance);
    if (!before?.resolved.hosts.some((h) => h.name === name)) throw new CyrangeError('CYR_NOT_FOUND', `no host "${name}" in "${instance}"`);
    const next = toVsockMode(before.resolved, name).range.hosts.find((h) => h.name === name) as ResolvedHost;
    const range = await changeModeLocked(ctx, instance, next);
    if (before.status === 'running') await refreshFirewall(ctx, range);
    return next;
  });
}

/**
 * The reverse of `moveToVsock`: a vsock host gets NICs again, in bridged or dhcp mode, on the given
 * networks (first is primary); addresses are allocated by the blueprint's rules (the lowest free one
 * unless `ip` is given). It is restarted wired with them; its data stays.
 */
export function moveFromVsock(
  ctx: EngineContext,
  instance: string,
  name: string,
  mode: Exclude<NetworkMode, 'vsock'>,
  interfaces: ReadonlyArray<{ readonly network: string; readonly ip?: string | null }>,
): Promise<ResolvedHost> {
  return withLock(rangeContext(ctx, instance).runDir, 'host network', async () => {
    const before = await ctx.store.getRange(instance);
    const old = before?.resolved.hosts.find((h) => h.name === name);
    if (!before || !old) throw new CyrangeError('CYR_NOT_FOUND', `no host "${name}" in "${instance}"`);
    if (old.network.mode !== 'vsock') throw new CyrangeError('CYR_CONFLICT', `host "${name}" is in ${old.network.mode} mode, not vsock`);
    if (interfaces.length === 0) throw new CyrangeError('CYR_INVALID', `host "${name}" needs at least one network in ${mode} mode`);
    // The model's NIC rules allocate each address against the range as it is, the host in its new mode.
    let r = withHost(before.resolved, { ...old, network: { ...old.network, mode } });
    for (const n of interfaces) r = addInterfaceTo(r, name, n.network, n.ip ?? null).range;
    const next = r.hosts.find((h) => h.name === name) as ResolvedHost;
    const range = await changeModeLocked(ctx, instance, next);
    if (before.status === 'running') await refreshFirewall(ctx, range);
    return next;
  });
}
