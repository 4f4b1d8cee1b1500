// Applying a changed blueprint to a deployed range in place: exactly the diff, through the range's own edit operations.
import { join } from 'node:path';
import { applyRateLimit, clearRateLimit, ensureRangeNetwork, lanLinkNames, unwireNic } from '../dataplane/index.js';
import { readPidfile, terminate, uncancellable } from '../sys/index.js';
import {
  CyrangeError,
  type RangeChange,
  type RangeDiff,
  type ResolvedHost,
  type ResolvedInterface,
  type ResolvedRange,
  ValidationError,
  deepFreeze,
  diffRanges,
  rebuildsRange,
  replacementsOf,
} from '../model/index.js';
import { getRuntime } from '../runtimes/index.js';
import { nicsOf } from './attachments.js';
import { runDirOf } from './config.js';
import { type DeployResult, type EngineContext, rangeContext } from './context.js';
import { build } from './bring-up.js';
import { deploy } from './deploy.js';
import { teardown } from './teardown.js';
import { type StepResult, step } from './events.js';
import { addResolvedHostLocked, changeModeLocked, removeHostLocked } from './host-edit.js';
import { acquireLock, withLock } from './lock.js';
import { publishMetadata } from './metadata.js';
import { claimInstance } from './owner.js';
import type { RangeRecord } from './store-port.js';
import { needsUplink, uplinkPlan } from './uplink.js';

/** How a changed blueprint is applied. */
export interface ApplyOptions {
  /** Apply `replace` changes too: recreate a host whose runtime changes, rebuild the range for a network change. */
  readonly replace?: boolean;
  /** Owner recorded when the instance does not exist yet and is deployed anew. */
  readonly owner?: string | null;
  /** Called under the instance's lock when it exists, before anything changes: throws to refuse the caller. */
  readonly mayChange?: (existing: RangeRecord) => unknown;
}

/** A deploy's result, with the changes that were applied (empty for a new or repaired instance). */
export interface ApplyResult extends DeployResult {
  readonly changes: readonly RangeChange[];
  /** Whether the range was torn down and built again (a `replace` of a network, or a range that was not running). */
  readonly rebuilt: boolean;
}

/**
 * Deploys `range` (resolved for its instance, with the deployed range pinned): a new instance is
 * built, an unchanged one repaired, and a changed one gets exactly its diff, applied in place while
 * the instance's lock is held. Hosts the diff does not name keep running untouched (same process,
 * upper layer, container). A change that cannot be made in place is refused (ValidationError naming
 * its field) unless `replace` is set.
 */
export async function applyRange(ctx: EngineContext, range: ResolvedRange, source: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const existing = await ctx.store.getRange(range.instance);
  if (!existing || JSON.stringify(existing.resolved) === JSON.stringify(range)) {
    const res = await deploy(ctx, range, source, opts.owner ?? null, opts.mayChange);
    return { ...res, changes: [], rebuilt: false };
  }
  const t0 = performance.now();
  return withLock(runDirOf(ctx.cfg, range.instance), 'apply', async () => {
    const current = await ctx.store.getRange(range.instance);
    if (!current) throw new CyrangeError('CYR_NOT_FOUND', `range instance "${range.instance}" vanished`);
    await opts.mayChange?.(current);
    return applyLocked(ctx, current, range, source, opts, t0);
  });
}

/** The diff `applyRange` would apply to a stored instance. */
export function planChanges(existing: RangeRecord, range: ResolvedRange): RangeDiff {
  return diffRanges(existing.resolved, range);
}

/** Refuses the diff's `replace` changes, each at its field, unless they may be applied. */
function checkReplacements(diff: RangeDiff, replace: boolean): void {
  const refused = replacementsOf(diff);
  if (replace || refused.length === 0) return;
  throw new ValidationError(
    refused.map((c) => ({
      path: c.path,
      message: `${c.from} → ${c.to} cannot be changed on the running range ${diff.instance}; deploy with --replace to ${
        c.target === 'host' ? `recreate host ${c.name}` : 'rebuild the range (every host starts anew)'
      }`,
    })),
  );
}

/**
 * Applies the diff from a stored instance to `range`, the caller holding the instance's lock (a
 * deploy of a changed blueprint ends here). Each step keeps the store and the kernel in agreement;
 * a failed step stops the rest and says which was applied.
 */
export async function applyLocked(
  ctx: EngineContext,
  existing: RangeRecord,
  range: ResolvedRange,
  source: string,
  opts: ApplyOptions,
  t0: number = performance.now(),
): Promise<ApplyResult> {
  const diff = diffRanges(existing.resolved, range);
  checkReplacements(diff, opts.replace === true);
  const results: StepResult[] = [];
  const done = (rebuilt: boolean): ApplyResult => ({
    instance: range.instance,
    changed: true,
    steps: results,
    ms: Math.round(performance.now() - t0),
    changes: diff.changes,
    rebuilt,
  });
  // A range that is not running has nothing to keep: it is built from the new blueprint.
  if (rebuildsRange(diff) || existing.status !== 'running') {
    await rebuild(ctx, range, results);
    await ctx.store.setRangeSource(range.instance, source);
    return done(true);
  }
  try {
    await applyInPlace(ctx, existing.resolved, range, diff, results);
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    const failed = results.find((r) => r.status === 'failed');
    throw new CyrangeError(
      'CYR_DEPLOY_FAILED',
      `apply to "${range.instance}" failed at step ${failed?.step ?? '?'}: ${(e as Error).message}; the steps before it are applied`,
      { cause: e, hint: 'inspect shows what runs now (the store matches it); fix the cause and deploy again' },
    );
  }
  await ctx.store.setRangeSource(range.instance, source);
  return done(false);
}

/** Tears the range's objects down and builds it again from `range`; the stored record (owner, assignments) stays. */
async function rebuild(ctx: EngineContext, range: ResolvedRange, results: StepResult[]): Promise<void> {
  const instance = range.instance;
  const sctx = { emit: ctx.emit, results, op: 'deploy' as const, instance };
  await ctx.store.setRangeStatus(instance, 'deploying');
  try {
    await step(sctx, 'teardown', async () => {
      const errors = await teardown(ctx, instance);
      if (errors.length > 0) throw new AggregateError(errors, errors.map((x) => x.message).join('; '));
    });
    // Teardown removed the run directory with the lock in it: take it again (the caller's release removes it).
    acquireLock(runDirOf(ctx.cfg, instance), 'deploy');
    claimInstance(instance, ctx.cfg.stateDir);
    const record = await update(ctx, instance, () => range);
    await build(ctx, record, range.hosts, results, true);
    await ctx.store.setRangeStatus(instance, 'running');
  } catch (e) {
    await ctx.store.setRangeStatus(instance, 'failed');
    if (e instanceof ValidationError) throw e;
    const failed = results.find((r) => r.status === 'failed');
    throw new CyrangeError('CYR_DEPLOY_FAILED', `rebuild of "${instance}" failed at step ${failed?.step ?? '?'}: ${(e as Error).message}`, {
      cause: e,
      hint: 'deploy again, or destroy it',
    });
  }
}

/** Replaces the stored range with `change(current)`; returns the new record. */
async function update(ctx: EngineContext, instance: string, change: (r: ResolvedRange) => ResolvedRange): Promise<RangeRecord> {
  await ctx.store.updateRange(instance, (r) => ({ range: deepFreeze(change(r)), result: null }));
  const rec = await ctx.store.getRange(instance);
  if (!rec) throw new CyrangeError('CYR_NOT_FOUND', `range instance "${instance}" vanished`);
  return rec;
}

const hostIn = (r: ResolvedRange, name: string) => r.hosts.find((h) => h.name === name);
const nicIn = (h: ResolvedHost | undefined, network: string) => h?.interfaces.find((n) => n.network === network);

function mustHost(r: ResolvedRange, name: string): ResolvedHost {
  const h = hostIn(r, name);
  if (!h) throw new CyrangeError('CYR_INTERNAL', `host "${name}" is not in the range`);
  return h;
}

function mustNic(h: ResolvedHost, network: string): ResolvedInterface {
  const n = nicIn(h, network);
  if (!n) throw new CyrangeError('CYR_INTERNAL', `host "${h.name}" has no NIC on ${network}`);
  return n;
}

/** A range with one host's NICs changed by `f`. */
function withNics(r: ResolvedRange, host: string, f: (nics: readonly ResolvedInterface[]) => ResolvedInterface[]): ResolvedRange {
  return { ...r, hosts: r.hosts.map((h) => (h.name === host ? { ...h, interfaces: f(h.interfaces) } : h)) };
}

/** Removes one NIC of a running host from the kernel, as `nic rm` does: hot-unplug (VMs) or DHCP client stopped, range end deleted, limit cleared. */
async function unwireNicOf(ctx: EngineContext, instance: string, host: ResolvedHost, nic: ResolvedInterface): Promise<void> {
  await nicsOf(host).unplug(rangeContext(ctx, instance), host, nic);
}

/** Wires one stored NIC into its running host, as `nic add` does: veth (addresses, route, DHCP client) or TAP (hot-plugged), with its limit. */
async function wireNicOf(ctx: EngineContext, range: ResolvedRange, host: ResolvedHost, nic: ResolvedInterface): Promise<void> {
  const instance = range.instance;
  const rt = getRuntime(host.runtime);
  const rctx = rangeContext(ctx, instance, range);
  const state = await rt.state(rctx, host);
  if (state === 'missing') return;
  await rt.nics.plug(rctx, range, host, nic, state);
}

/** Builds networks the store has and the kernel lacks, and replaces the firewall (routes, policies, anti-spoofing). */
async function ensureNetworks(ctx: EngineContext, rec: RangeRecord): Promise<void> {
  const range = rec.resolved;
  const uplink =
    needsUplink(range) && ctx.cfg.uplinkNetns
      ? uplinkPlan(range.instance, ctx.cfg.uplinkPool, await ctx.store.allocateUplinkSlot(rec.id), ctx.cfg.uplinkNetns)
      : null;
  await ensureRangeNetwork(range, { runDir: runDirOf(ctx.cfg, range.instance) }, uplink, {
    netns: ctx.cfg.hostBridgeNetns,
    defaultBridge: ctx.cfg.hostBridge,
  });
}

/** Stops the range's DHCP server, so the next `ensureRangeNetwork` starts it with the networks it serves now. */
async function stopDhcpServer(ctx: EngineContext, instance: string): Promise<void> {
  const ref = readPidfile(join(runDirOf(ctx.cfg, instance), 'dnsmasq.ref'));
  if (ref) await terminate([ref.pid]);
}

const dhcpNets = (r: ResolvedRange) =>
  JSON.stringify(
    r.networks
      .filter((n) => n.dhcp)
      .map((n) => n.name)
      .sort(),
  );

async function applyInPlace(
  ctx: EngineContext,
  from: ResolvedRange,
  to: ResolvedRange,
  diff: RangeDiff,
  results: StepResult[],
): Promise<void> {
  const instance = to.instance;
  const sctx = { emit: ctx.emit, results, op: 'deploy' as const, instance };
  const of = <K extends RangeChange['kind']>(kind: K) =>
    diff.changes.filter((c): c is Extract<RangeChange, { kind: K }> => c.kind === kind);
  // Hosts made again: a new workload (host-recreate) or, asked for, a new runtime.
  const remade = [
    ...of('host-recreate').map((c) => c.host),
    ...of('replace')
      .filter((c) => c.target === 'host')
      .map((c) => c.name),
  ];

  // 1. What goes frees names and addresses first: hosts, then NICs.
  for (const name of [...of('host-remove').map((c) => c.host), ...remade])
    await step(sctx, `host-rm:${name}`, () => removeHostLocked(ctx, instance, name));
  for (const c of of('nic-remove'))
    await step(sctx, `nic-rm:${c.host}:${c.network}`, async () => {
      const host = mustHost(from, c.host);
      const nic = mustNic(host, c.network);
      await update(ctx, instance, (r) => withNics(r, c.host, (nics) => nics.filter((n) => n.network !== c.network)));
      await unwireNicOf(ctx, instance, host, nic);
    });

  // 2. New networks, before anything joins them.
  const added = of('network-add');
  if (added.length > 0)
    await step(sctx, `network-add:${added.map((c) => c.network).join(',')}`, async () => {
      const names = new Set(added.map((c) => c.network));
      const rec = await update(ctx, instance, (r) => ({
        ...r,
        networks: [...r.networks, ...to.networks.filter((n) => names.has(n.name))],
      }));
      await ensureNetworks(ctx, rec);
    });

  // 3. Mode changes that release addresses, re-addressed NICs, mode changes that take addresses, new NICs, new and remade hosts.
  const mode = (c: Extract<RangeChange, { kind: 'host-mode' }>) =>
    step(sctx, `host-mode:${c.host}:${c.to}`, () => changeModeLocked(ctx, instance, mustHost(to, c.host)));
  for (const c of of('host-mode').filter((x) => x.to !== 'bridged')) await mode(c);
  const readdressed = of('nic-readdress');
  if (readdressed.length > 0) {
    // One store change for all, so two NICs trading addresses never collide.
    const rec = await update(ctx, instance, (r) =>
      readdressed.reduce(
        (acc, c) =>
          withNics(acc, c.host, (nics) => nics.map((n) => (n.network === c.network ? mustNic(mustHost(to, c.host), c.network) : n))),
        r,
      ),
    );
    for (const c of readdressed)
      await step(sctx, `nic-readdress:${c.host}:${c.network}`, async () => {
        const old = mustHost(from, c.host);
        await unwireNicOf(ctx, instance, old, mustNic(old, c.network));
        const host = mustHost(rec.resolved, c.host);
        await wireNicOf(ctx, rec.resolved, host, mustNic(host, c.network));
      });
  }
  for (const c of of('host-mode').filter((x) => x.to === 'bridged')) await mode(c);
  for (const c of of('nic-add'))
    await step(sctx, `nic-add:${c.host}:${c.network}`, async () => {
      const nic = mustNic(mustHost(to, c.host), c.network);
      const rec = await update(ctx, instance, (r) => withNics(r, c.host, (nics) => [...nics, nic]));
      try {
        await wireNicOf(ctx, rec.resolved, mustHost(rec.resolved, c.host), nic);
      } catch (e) {
        // Undone outside the operation's signal: an aborted edit is still put back.
        await uncancellable(async () => {
          await unwireNic(instance, nic.peer).catch(() => {});
          await update(ctx, instance, (r) => withNics(r, c.host, (nics) => nics.filter((n) => n.network !== c.network)));
        });
        throw e;
      }
    });
  for (const name of [...of('host-add').map((c) => c.host), ...remade])
    await step(sctx, `host-add:${name}`, () => addResolvedHostLocked(ctx, instance, mustHost(to, name), results));

  // 4. Limits, on NICs that stay.
  for (const c of of('rate-limit'))
    await step(sctx, `limit:${c.host}:${c.network}`, async () => {
      const nic = mustNic(mustHost(to, c.host), c.network);
      await update(ctx, instance, (r) =>
        withNics(r, c.host, (nics) => nics.map((n) => (n.network === c.network ? { ...n, rateLimit: nic.rateLimit } : n))),
      );
      if (nic.rateLimit) await applyRateLimit(instance, c.host, nic);
      else await clearRateLimit(instance, c.host, mustNic(mustHost(from, c.host), c.network));
    });

  // 5. Networks nothing is on any more: their bridge (and LAN link) go.
  for (const c of of('network-remove'))
    await step(sctx, `network-rm:${c.network}`, async () => {
      const n = from.networks.find((x) => x.name === c.network);
      if (!n) return;
      await unwireNic(instance, lanLinkNames(instance, n.name).near).catch(() => {});
      await unwireNic(instance, n.bridge).catch(() => {});
    });

  // 6. The store takes the new range as a whole (order, recorded-only fields, routes, policies);
  // the firewall, sysctls, DHCP server and metadata follow it.
  await step(sctx, 'firewall', async () => {
    const rec = await update(ctx, instance, () => to);
    if (dhcpNets(from) !== dhcpNets(to)) await stopDhcpServer(ctx, instance);
    await ensureNetworks(ctx, rec);
    await publishMetadata(to, ctx.cfg);
  });
}
