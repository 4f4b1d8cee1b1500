import { rmSync } from 'node:fs';
import {
  type HostNs,
  applyHostRateLimits,
  configureHost,
  ensureRangeNetwork,
  listLinks,
  netnsExists,
  removeRangeNetwork,
  removeNetns,
  startDhcpClients,
  stopDhcpClients,
  unwireNic,
  wireHosts,
  wireTaps,
} from '../dataplane/index.js';
import { CyrangeError, type ResolvedHost, type ResolvedRange, ValidationError, hostNetns, rangeNetns } from '../model/index.js';
import { type RangeContext, allRuntimes, ensureRangeCgroup, getRuntime, mountsUnder, removeRangeCgroup } from '../runtimes/index.js';
import { type EngineConfig, dataDirOf, runDirOf } from './config.js';
import { type EventSink, type StepResult, step } from './events.js';
import { ensureGuestUsers } from './guest-users.js';
import { mapLimit } from './limit.js';
import { applyLocked } from './apply.js';
import { acquireLock } from './lock.js';
import { publishMetadata } from './metadata.js';
import { claimInstance, releaseInstance } from './owner.js';
import type { EngineStore, RangeRecord } from './store-port.js';
import { needsUplink, uplinkPlan } from './uplink.js';

/** What the engine works with: the store, its settings and where events go. */
export interface EngineContext {
  readonly store: EngineStore;
  readonly cfg: EngineConfig;
  readonly emit: EventSink;
  /** Test hook: fail the deploy when this step starts (e.g. `host:web`), to exercise rollback. */
  readonly failAt?: string | undefined;
  /** Cancels the operation: meant for every `run()` it makes (not threaded through yet). */
  readonly signal?: AbortSignal | undefined;
}

/** Result of a deploy: whether anything changed and each step's outcome, in order. */
export interface DeployResult {
  readonly instance: string;
  readonly changed: boolean;
  readonly steps: readonly StepResult[];
  readonly ms: number;
}

/** The runtime context of an instance, with pull progress routed to engine events. */
export function rangeContext(ctx: EngineContext, instance: string, range?: ResolvedRange): RangeContext {
  return {
    instance,
    runDir: runDirOf(ctx.cfg, instance),
    dataDir: dataDirOf(ctx.cfg, instance),
    images: ctx.cfg.imagesDir,
    onProgress: (host, line) => ctx.emit({ kind: 'progress', instance, step: `host:${host}`, message: line }),
    range,
    microvm: {
      assets: ctx.cfg.microvmAssets,
      accel: ctx.cfg.microvmAccel,
      bootTimeoutMs: ctx.cfg.microvmBootTimeoutMs,
      tcgCacheMb: ctx.cfg.qemuTcgCacheMb,
    },
  };
}

/** Whether a host's NICs are TAPs its VM opens (microVMs) rather than veths into its namespace. */
export function usesTaps(host: ResolvedHost): boolean {
  return getRuntime(host.runtime).nics === 'tap';
}

/** Wires hosts' NICs onto the range bridges: veth pairs, or TAPs for VM hosts. */
export async function wireNics(range: ResolvedRange, hosts: readonly HostNs[]): Promise<void> {
  const taps = hosts.filter((h) => usesTaps(h.host));
  const veths = hosts.filter((h) => !usesTaps(h.host));
  if (veths.length > 0) await wireHosts(range, veths);
  if (taps.length > 0)
    await wireTaps(
      range,
      taps.map((h) => h.host),
    );
}

/**
 * Makes a wired host's NICs usable and runs its workload: addresses and DHCP clients from the host
 * side, except for VM hosts, whose guests configure their own NICs from the boot arguments.
 */
async function configureAndStart(ctx: EngineContext, range: ResolvedRange, h: HostNs): Promise<void> {
  const rctx = rangeContext(ctx, range.instance, range);
  const taps = usesTaps(h.host);
  if (!taps) await configureHost(range.instance, h);
  // A re-wired NIC is a new link without its qdiscs.
  await applyHostRateLimits(range.instance, h.host);
  await getRuntime(h.host.runtime).start(rctx, h.host);
  if (!taps) startDhcpClients(rctx.runDir, h);
  await ensureGuestUsers(getRuntime(h.host.runtime), rctx, h.host);
}

/**
 * Brings one existing host up: boots it, re-wires its NICs when its namespace is new (a started
 * or restarted container), configures addresses and starts its workload and DHCP clients.
 */
export async function bringUp(ctx: EngineContext, range: ResolvedRange, host: ResolvedHost): Promise<void> {
  const rctx = rangeContext(ctx, range.instance, range);
  const rt = getRuntime(host.runtime);
  const h: HostNs = { host, netns: hostNetns(range.instance, host.name) };
  const { fresh } = await rt.boot(rctx, host);
  if (fresh) {
    // The old veths die with the old namespace, but not at once: remove the range ends now.
    for (const nic of host.interfaces) await unwireNic(range.instance, nic.peer).catch(() => {});
    await wireHosts(range, [h]);
  }
  // TAPs outlive their VM; re-attaching them is idempotent and repairs a lost one.
  if (usesTaps(host)) await wireTaps(range, [host]);
  await configureAndStart(ctx, range, h);
}

function groupByRuntime(hosts: readonly ResolvedHost[]): Map<string, ResolvedHost[]> {
  const m = new Map<string, ResolvedHost[]>();
  for (const h of hosts) m.set(h.runtime, [...(m.get(h.runtime) ?? []), h]);
  return m;
}

function checkDeployable(ctx: EngineContext, range: ResolvedRange): void {
  for (const h of range.hosts) getRuntime(h.runtime);
  if (needsUplink(range) && !ctx.cfg.uplinkNetns) {
    const i = range.networks.findIndex((n) => n.egress === 'nat');
    throw new ValidationError([
      { path: `networks[${i}].egress`, message: 'nat needs an uplink: set CYRANGE_NAT_UPLINK_NETNS to the namespace uplinks end in' },
    ]);
  }
  if (ctx.cfg.uplinkNetns && needsUplink(range) && !netnsExists(ctx.cfg.uplinkNetns))
    throw new CyrangeError('CYR_INVALID', `uplink namespace ${ctx.cfg.uplinkNetns} (CYRANGE_NAT_UPLINK_NETNS) does not exist`);
}

/**
 * Deploys a resolved range. A new instance is recorded first (so gc can tell it is in progress),
 * then built; any failure rolls everything back and rethrows. Deploying an existing instance with
 * the same blueprint repairs what is missing and reports `changed: false` when nothing was.
 */
export async function deploy(ctx: EngineContext, range: ResolvedRange, source: string, owner: string | null = null): Promise<DeployResult> {
  const t0 = performance.now();
  checkDeployable(ctx, range);
  const runDir = runDirOf(ctx.cfg, range.instance);
  // The lock comes before the record, so gc never mistakes a deploy in progress for a crashed one.
  claimInstance(range.instance, ctx.cfg.stateDir);
  const release = acquireLock(runDir, 'deploy');
  try {
    const existing = await ctx.store.getRange(range.instance);
    if (existing) {
      // A changed blueprint is applied in place: exactly its diff, `replace` changes refused (apply.ts).
      if (JSON.stringify(existing.resolved) !== JSON.stringify(range)) return await applyLocked(ctx, existing, range, source, {}, t0);
      return await repair(ctx, existing, t0);
    }
    const record = await ctx.store.createRange({ resolved: range, source, kind: 'range', status: 'deploying', owner });
    const results: StepResult[] = [];
    try {
      await build(ctx, record, range.hosts, results, true);
      await ctx.store.setRangeStatus(range.instance, 'running');
      return { instance: range.instance, changed: true, steps: results, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      await rollback(ctx, range, results);
      throw wrapFailure(range.instance, results, e);
    }
  } finally {
    release();
  }
}

function wrapFailure(instance: string, results: readonly StepResult[], e: unknown): Error {
  if (e instanceof ValidationError) return e;
  const failed = results.find((r) => r.status === 'failed');
  return new CyrangeError(
    'CYR_DEPLOY_FAILED',
    `deploy of "${instance}" failed at step ${failed?.step ?? '?'}: ${(e as Error).message}; rolled back`,
    {
      cause: e,
    },
  );
}

async function rollback(ctx: EngineContext, range: ResolvedRange, results: StepResult[]): Promise<void> {
  const emitCtx = { emit: ctx.emit, results, op: 'deploy' as const, instance: range.instance };
  try {
    await step(emitCtx, 'rollback', async () => {
      const errors = await teardown(ctx, range.instance);
      await ctx.store.deleteRange(range.instance);
      if (errors.length > 0) throw new AggregateError(errors, errors.map((x) => x.message).join('; '));
    });
  } catch {
    // Reported as a failed rollback step; gc can finish the job.
  }
}

/** Removes every kernel and runtime object of an instance, found by tags; returns the failures. */
export async function teardown(ctx: Pick<EngineContext, 'cfg'>, instance: string): Promise<Error[]> {
  const errors: Error[] = [];
  for (const rt of allRuntimes()) {
    try {
      await rt.purge(instance);
    } catch (e) {
      errors.push(e as Error);
    }
  }
  errors.push(...(await removeRangeNetwork(instance, ctx.cfg.uplinkNetns)));
  removeRangeCgroup(instance);
  rmSync(runDirOf(ctx.cfg, instance), { recursive: true, force: true });
  // Runtimes unmounted what they mounted there in purge; a mount left over is reported, never deleted through.
  const dataDir = dataDirOf(ctx.cfg, instance);
  const mounted = mountsUnder(dataDir);
  if (mounted.length > 0) errors.push(new CyrangeError('CYR_RUNTIME', `still mounted, not removed: ${mounted.join(', ')}`));
  else if (errors.length === 0) rmSync(dataDir, { recursive: true, force: true });
  if (errors.length === 0) releaseInstance(instance, ctx.cfg.stateDir);
  return errors;
}

/** Builds the range network (when `withNetwork`) and the given hosts: create, boot, wire, configure, start. */
export async function build(
  ctx: EngineContext,
  record: RangeRecord,
  hosts: readonly ResolvedHost[],
  results: StepResult[],
  withNetwork: boolean,
): Promise<void> {
  const range = record.resolved;
  const sctx = { emit: ctx.emit, results, op: 'deploy' as const, instance: range.instance };
  const rctx = rangeContext(ctx, range.instance, range);
  const fault = (name: string) => {
    if (ctx.failAt === name) throw new CyrangeError('CYR_INTERNAL', `injected failure at ${name}`);
  };
  if (withNetwork) {
    const uplink =
      needsUplink(range) && ctx.cfg.uplinkNetns
        ? uplinkPlan(range.instance, ctx.cfg.uplinkPool, await ctx.store.allocateUplinkSlot(record.id), ctx.cfg.uplinkNetns)
        : null;
    await step(sctx, 'network', async () => {
      fault('network');
      // The range's cgroup first: every sandbox, container and VM of the range is placed under it.
      ensureRangeCgroup(range.instance, range.resources);
      await ensureRangeNetwork(range, { runDir: rctx.runDir }, uplink, {
        netns: ctx.cfg.hostBridgeNetns,
        defaultBridge: ctx.cfg.hostBridge,
      });
    });
  }
  // The metadata files and listener depend only on the plan: publish them while hosts come up.
  const metadata = withNetwork ? step(sctx, 'metadata', () => publishMetadata(range, ctx.cfg)) : null;
  try {
    await buildHosts(ctx, range, rctx, sctx, hosts, fault);
  } finally {
    // Settled before anything else happens, so a rollback never races the listener starting.
    await metadata?.catch(() => {});
  }
  await metadata;
}

async function buildHosts(
  ctx: EngineContext,
  range: ResolvedRange,
  rctx: RangeContext,
  sctx: Parameters<typeof step>[0],
  hosts: readonly ResolvedHost[],
  fault: (name: string) => void,
): Promise<void> {
  await step(sctx, 'hosts:create', async () => {
    fault('hosts:create');
    for (const [rt, hs] of groupByRuntime(hosts)) await getRuntime(rt).create(rctx, hs);
  });
  const wired: HostNs[] = hosts.map((host) => ({ host, netns: hostNetns(range.instance, host.name) }));
  await step(sctx, 'hosts:boot', async () => {
    fault('hosts:boot');
    await mapLimit(hosts, ctx.cfg.concurrency, (h) => getRuntime(h.runtime).boot(rctx, h));
  });
  await step(sctx, 'hosts:wire', async () => {
    fault('hosts:wire');
    await wireNics(range, wired);
  });
  await mapLimit(wired, ctx.cfg.concurrency, (h) =>
    step(sctx, `host:${h.host.name}`, async () => {
      fault(`host:${h.host.name}`);
      await configureAndStart(ctx, range, h);
    }),
  );
}

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
 * remove those). Its process stops; a veth host's namespace and NICs go, a VM's TAPs are re-attached.
 */
async function dismantle(rctx: RangeContext, host: ResolvedHost): Promise<void> {
  await stopDhcpClients(rctx.runDir, host).catch(() => {});
  await getRuntime(host.runtime).stop(rctx, host);
  if (usesTaps(host)) return;
  // The old veths die with the old namespace, but not at once: remove the range ends now.
  for (const nic of host.interfaces) await unwireNic(rctx.instance, nic.peer).catch(() => {});
  await removeNetns([hostNetns(rctx.instance, host.name)]);
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
    throw wrapFailure(range.instance, results, e);
  }
}
