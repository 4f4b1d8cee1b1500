// Repairing a deployed instance: what is missing or broken is made again from its stored range.
import { listLinks, stopDhcpClients } from '../dataplane/index.js';
import { type ResolvedHost, rangeNetns } from '../model/index.js';
import { type RangeContext, getRuntime } from '../runtimes/index.js';
import { netnsExists } from '../sys/index.js';
import { nicsOf } from './attachments.js';
import { bringUp, build, wrapFailure } from './bring-up.js';
import { type DeployResult, type EngineContext, rangeContext } from './context.js';
import { type StepResult, step } from './events.js';
import { mapLimit } from './limit.js';
import type { RangeRecord } from './store-port.js';

/** Health of one host: whether its NICs exist on the range side and whether it runs. */
async function hostHealth(rctx: RangeContext, host: ResolvedHost, rangeLinks: ReadonlySet<string>): Promise<'ok' | 'stopped' | 'broken'> {
  const state = await getRuntime(host.runtime).state(rctx, host);
  if (state === 'missing') return 'broken';
  if (!host.interfaces.every((n) => rangeLinks.has(n.peer))) return 'broken';
  return state === 'running' ? 'ok' : 'stopped';
}

/**
 * Takes a broken host apart so that `build` makes it again, keeping what it wrote: its sandbox's
 * upper layer, its VM's disk overlay, its container and its filesystem (runtimes' `destroy` would
 * remove those). Its process stops; its attachment removes what a rebuild makes again.
 */
async function dismantle(rctx: RangeContext, host: ResolvedHost): Promise<void> {
  await stopDhcpClients(rctx.runDir, host).catch(() => {});
  await getRuntime(host.runtime).stop(rctx, host);
  await nicsOf(host).detach(rctx, host);
}

/**
 * Brings an existing instance back to its stored range, the caller holding its lock: the range
 * network (namespace, bridges, firewall, DHCP, uplink, metadata) is ensured when anything is
 * missing, broken hosts are rebuilt with the same NICs, IPs and MACs and what they wrote kept,
 * stopped hosts are started. Nothing changes (`changed: false`) when everything is up.
 */
export async function repair(ctx: EngineContext, record: RangeRecord, t0 = performance.now()): Promise<DeployResult> {
  const range = record.resolved;
  const rctx = rangeContext(ctx, range.instance, range);
  const results: StepResult[] = [];
  try {
    const nsOk = netnsExists(rangeNetns(range.instance));
    const links = nsOk ? new Set((await listLinks(rangeNetns(range.instance))).map((l) => l.ifname)) : new Set<string>();
    const bridgesOk = nsOk && range.networks.every((n) => links.has(n.bridge));
    const health = await Promise.all(range.hosts.map(async (h) => [h, await hostHealth(rctx, h, links)] as const));
    if (bridgesOk && health.every(([, s]) => s === 'ok')) {
      for (const s of ['network', 'hosts']) {
        results.push({ step: s, status: 'skipped', ms: 0 });
        ctx.emit({ kind: 'step', op: 'deploy', instance: range.instance, step: s, status: 'skipped' });
      }
      if (record.status !== 'running') await ctx.store.setRangeStatus(range.instance, 'running');
      return { instance: range.instance, changed: record.status !== 'running', steps: results, ms: Math.round(performance.now() - t0) };
    }
    await ctx.store.setRangeStatus(range.instance, 'deploying');
    const broken = health.filter(([, s]) => s === 'broken').map(([h]) => h);
    const stopped = health.filter(([, s]) => s === 'stopped').map(([h]) => h);
    const sctx = { emit: ctx.emit, results, op: 'deploy' as const, instance: range.instance };
    if (broken.length > 0) await step(sctx, 'hosts:dismantle', () => mapLimit(broken, ctx.cfg.concurrency, (h) => dismantle(rctx, h)));
    if (!bridgesOk || broken.length > 0) await build(ctx, record, broken, results, true);
    await mapLimit(stopped, ctx.cfg.concurrency, (h) => step(sctx, `host:${h.name}`, () => bringUp(ctx, range, h)));
    await ctx.store.setRangeStatus(range.instance, 'running');
    return { instance: range.instance, changed: true, steps: results, ms: Math.round(performance.now() - t0) };
  } catch (e) {
    await ctx.store.setRangeStatus(range.instance, 'failed');
    throw wrapFailure(range.instance, results, e, ctx.signal);
  }
}
