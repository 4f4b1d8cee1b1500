// Bringing hosts up: the range network, then create, boot, wire, configure and start each host.
import { type HostNs, ensureRangeNetwork } from '../dataplane/index.js';
import { CyrangeError, type ResolvedHost, type ResolvedRange, ValidationError, hostNetns } from '../model/index.js';
import { type RangeContext, ensureRangeCgroup, getRuntime } from '../runtimes/index.js';
import { netnsExists } from '../sys/index.js';
import { byAttachment, nicsOf } from './attachments.js';
import { type EngineContext, rangeContext } from './context.js';
import { type StepResult, step } from './events.js';
import { ensureGuestUsers } from './guest-users.js';
import { mapLimit } from './limit.js';
import { publishMetadata } from './metadata.js';
import type { RangeRecord } from './store-port.js';
import { needsUplink, uplinkPlan } from './uplink.js';

/** Wires hosts' NICs onto the range bridges, each runtime's kind (veth pairs, TAPs) in one batch. */
export async function wireNics(range: ResolvedRange, hosts: readonly HostNs[]): Promise<void> {
  for (const [nics, hs] of byAttachment(hosts, (h) => h.host)) await nics.wire(range, hs);
}

/**
 * Makes a wired host's NICs usable and runs its workload: addresses and limits first, then the
 * workload, then what keeps the NICs configured (DHCP clients), each as the host's attachment does it.
 */
export async function configureAndStart(ctx: EngineContext, range: ResolvedRange, h: HostNs): Promise<void> {
  const rctx = rangeContext(ctx, range.instance, range);
  const nics = nicsOf(h.host);
  await nics.configure(rctx, h);
  await getRuntime(h.host.runtime).start(rctx, h.host);
  nics.startClients(rctx, h);
  await ensureGuestUsers(getRuntime(h.host.runtime), rctx, h.host);
}

/**
 * Brings one existing host up: boots it, re-wires its NICs (new ones when its namespace is new: a
 * started or restarted container), configures addresses and starts its workload and DHCP clients.
 */
export async function bringUp(ctx: EngineContext, range: ResolvedRange, host: ResolvedHost): Promise<void> {
  const rctx = rangeContext(ctx, range.instance, range);
  const h: HostNs = { host, netns: hostNetns(range.instance, host.name) };
  const { fresh } = await getRuntime(host.runtime).boot(rctx, host);
  await nicsOf(host).rewire(range, h, fresh);
  await configureAndStart(ctx, range, h);
}

function groupByRuntime(hosts: readonly ResolvedHost[]): Map<string, ResolvedHost[]> {
  const m = new Map<string, ResolvedHost[]>();
  for (const h of hosts) m.set(h.runtime, [...(m.get(h.runtime) ?? []), h]);
  return m;
}

/** Refuses, before anything is made, a range this machine cannot build. */
export function checkDeployable(ctx: EngineContext, range: ResolvedRange): void {
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
 * The error a failed deploy or repair ends with: the step it failed at, and that it was rolled back.
 * Work its `signal` stopped says so, with the signal's reason, rather than naming a killed command.
 */
export function wrapFailure(instance: string, results: readonly StepResult[], e: unknown, signal?: AbortSignal): Error {
  if (e instanceof ValidationError) return e;
  const failed = results.find((r) => r.status === 'failed');
  const at = failed?.step ?? '?';
  const message = signal?.aborted
    ? `deploy of "${instance}" stopped at step ${at}: ${signal.reason instanceof Error ? signal.reason.message : 'aborted'}; rolled back`
    : `deploy of "${instance}" failed at step ${at}: ${(e as Error).message}; rolled back`;
  return new CyrangeError('CYR_DEPLOY_FAILED', message, { cause: e });
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
  // Marked handled at once: it may fail while the hosts come up, before anything awaits it, and an
  // unhandled rejection would end the process before the rollback. It is still awaited below.
  metadata?.catch(() => {});
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
