import { join } from 'node:path';
import { ensureTcpRelay, observeHostNics, stopDhcpClients } from '../dataplane/index.js';
import { CyrangeError, type ResolvedHost, type ResolvedRange, hostNetns, LIST_RANGES_HINT, noRangeError } from '../model/index.js';
import { type ExecOptions, type RangeContext, getRuntime } from '../runtimes/index.js';
import { type EngineContext, rangeContext } from './context.js';
import { bringUp } from './bring-up.js';
import { type StepResult, step } from './events.js';
import { mapLimit } from './limit.js';
import { withLock } from './lock.js';

/** Looks up a deployed host, with the context its runtime needs. */
export async function findHost(
  ctx: EngineContext,
  instance: string,
  hostName: string,
): Promise<{ rctx: RangeContext; host: ResolvedHost; range: ResolvedRange }> {
  const rec = await ctx.store.getRange(instance);
  if (!rec) throw noRangeError(instance, { hint: LIST_RANGES_HINT });
  const host = rec.resolved.hosts.find((h) => h.name === hostName);
  if (!host)
    throw new CyrangeError(
      'CYR_NOT_FOUND',
      `no host "${hostName}" in "${instance}" (hosts: ${rec.resolved.hosts.map((h) => h.name).join(', ')})`,
    );
  return { rctx: rangeContext(ctx, instance), host, range: rec.resolved };
}

/** Runs a command in a host; resolves with its exit code. */
export async function execInHost(
  ctx: EngineContext,
  instance: string,
  hostName: string,
  argv: readonly string[],
  opts?: ExecOptions,
): Promise<number> {
  const { rctx, host } = await findHost(ctx, instance, hostName);
  return getRuntime(host.runtime).exec(rctx, host, argv, opts);
}

/** What can be done to one host of a running range; `reset` puts it back to its deployed state. */
export type HostAction = 'start' | 'stop' | 'restart' | 'reset';

/** Starts, stops, restarts or resets one host; its NICs, addresses and MACs stay as they were. */
export async function hostAction(
  ctx: EngineContext,
  instance: string,
  hostName: string,
  action: HostAction,
): Promise<readonly StepResult[]> {
  const { rctx } = await findHost(ctx, instance, hostName);
  // Serialized with deploys, NIC edits and the watcher's re-wiring of the same instance.
  return withLock(rctx.runDir, `host ${action}`, () => hostActionLocked(ctx, instance, hostName, action));
}

/**
 * One host action, with the instance's lock already held. A reset restores the writes saved in
 * `restoreFrom` (a snapshot) instead of discarding them when it is given.
 */
export async function hostActionLocked(
  ctx: EngineContext,
  instance: string,
  hostName: string,
  action: HostAction,
  restoreFrom?: string,
): Promise<StepResult[]> {
  const { rctx, host, range } = await findHost(ctx, instance, hostName);
  const rt = getRuntime(host.runtime);
  const results: StepResult[] = [];
  const sctx = { emit: ctx.emit, results, op: 'host' as const, instance };
  if (action === 'stop' || action === 'restart' || action === 'reset') {
    await step(sctx, `stop:${host.name}`, async () => {
      await stopDhcpClients(rctx.runDir, host);
      await rt.stop(rctx, host);
    });
  }
  if (action === 'reset' && restoreFrom === undefined) await step(sctx, `discard:${host.name}`, () => rt.discard(rctx, host));
  if (action === 'reset' && restoreFrom !== undefined)
    await step(sctx, `restore:${host.name}`, () => rt.restoreWrites(rctx, host, join(restoreFrom, host.name)));
  if (action !== 'stop') {
    await step(sctx, `start:${host.name}`, async () => {
      if ((await rt.state(rctx, host)) === 'missing' && action !== 'reset')
        throw new CyrangeError('CYR_CONFLICT', `host "${host.name}" is missing; run deploy again to repair it`);
      await bringUp(ctx, range, host);
    });
  }
  return results;
}

/**
 * Resets one host, or every host of the range: each is stopped, its writable state discarded and
 * started again from its image, with the same NICs, addresses, MACs, policies and limits.
 */
export async function resetHosts(ctx: EngineContext, instance: string, hostName?: string): Promise<readonly StepResult[]> {
  const rec = await ctx.store.getRange(instance);
  if (!rec) throw noRangeError(instance, { hint: LIST_RANGES_HINT });
  const names = hostName === undefined ? rec.resolved.hosts.map((h) => h.name) : [hostName];
  return withLock(rangeContext(ctx, instance).runDir, 'reset', async () => {
    const results = await mapLimit(names, ctx.cfg.concurrency, (h) => hostActionLocked(ctx, instance, h, 'reset'));
    return results.flat();
  });
}

/** Opens an interactive terminal in a host (web consoles). */
export async function openConsole(ctx: EngineContext, instance: string, hostName: string, size: { cols: number; rows: number }) {
  const { rctx, host } = await findHost(ctx, instance, hostName);
  return getRuntime(host.runtime).console(rctx, host, size);
}

/**
 * The unix socket that reaches a host's VNC server, through a relay inside the range namespace.
 * The host must declare `vnc_port`; its primary address (or its DHCP lease) is the target.
 */
export async function vncSocket(ctx: EngineContext, instance: string, hostName: string): Promise<string> {
  const { rctx, host } = await findHost(ctx, instance, hostName);
  if (host.vncPort === null) throw new CyrangeError('CYR_NOT_FOUND', `host "${hostName}" serves no VNC (give it vnc_port)`);
  const primary = host.interfaces.find((n) => n.primary);
  const ip =
    primary?.ip ?? (await observeHostNics(hostNetns(instance, hostName))).find((n) => n.ifname === primary?.ifname)?.ipv4[0]?.split('/')[0];
  if (!ip) throw new CyrangeError('CYR_CONFLICT', `host "${hostName}" has no address to reach its VNC server`);
  const socket = join(rctx.runDir, `vnc-${hostName}.sock`);
  await ensureTcpRelay(instance, socket, ip, host.vncPort);
  return socket;
}
