import { applyFirewall } from '../dataplane/index.js';
import { inNetns, run, spawnDetached, terminate, sleep } from '../sys/index.js';
import {
  type Probe,
  type RawPolicy,
  type ResolvedRange,
  ValidationError,
  expectedReachable,
  hostNetns,
  resolvePolicies,
  sourceNic,
  noRangeError,
} from '../model/index.js';
import type { EngineContext } from './context.js';
import { mapLimit } from './limit.js';
import { withLock } from './lock.js';
import { runDirOf } from './config.js';
import { publishMetadata } from './metadata.js';
import { needsUplink } from './uplink.js';

/**
 * Re-applies what a running range derives from its hosts and NICs: the firewall (routing, policies,
 * anti-spoofing, in one nft transaction) and the metadata each host is served.
 */
export async function refreshFirewall(ctx: EngineContext, range: ResolvedRange): Promise<void> {
  await applyFirewall(range, needsUplink(range) && ctx.cfg.uplinkNetns !== null);
  await publishMetadata(range, ctx.cfg);
}

/** Replaces an instance's policies on the running range, without a redeploy. */
export function setPolicies(ctx: EngineContext, instance: string, raw: readonly RawPolicy[]): Promise<ResolvedRange> {
  return withLock(runDirOf(ctx.cfg, instance), 'policy set', async () => {
    const range = await ctx.store.updateRange(instance, (r) => {
      const problems: { path: string; message: string }[] = [];
      const policies = resolvePolicies(raw, new Set(r.hosts.map((h) => h.name)), new Set(r.networks.map((n) => n.name)), problems);
      if (problems.length) throw new ValidationError(problems);
      const next = { ...r, policies };
      return { range: next, result: next };
    });
    const rec = await ctx.store.getRange(instance);
    if (rec?.status === 'running') await refreshFirewall(ctx, range);
    return range;
  });
}

/** One measured cell of the reachability matrix. */
export interface CheckResult {
  readonly from: string;
  readonly to: string;
  readonly toIp: string;
  readonly probe: string;
  readonly expected: boolean;
  readonly reached: boolean;
}

/**
 * Measures reachability from inside every host to every other host's addresses: ping, and a TCP
 * connect to each port (a temporary listener is started in the target unless something listens).
 * Each cell carries what the routes and policies say it should be, so differences stand out.
 */
export async function checkReachability(ctx: EngineContext, instance: string, ports: readonly number[]): Promise<CheckResult[]> {
  const rec = await ctx.store.getRange(instance);
  if (!rec) throw noRangeError(instance);
  const r = rec.resolved;
  const hosts = r.hosts.filter((h) => h.interfaces.some((n) => n.ip));
  const listeners: number[] = [];
  try {
    for (const h of hosts) {
      for (const port of ports) {
        // Fails to bind when the host already serves the port, which is as good for the probe.
        const argv = inNetns(hostNetns(instance, h.name), ['socat', `TCP-LISTEN:${port},fork,reuseaddr`, 'EXEC:/bin/true']);
        listeners.push(spawnDetached(argv, { logFile: '/dev/null' }).pid);
      }
    }
    // The listeners get a moment to bind; no probe waits on one that is still starting.
    await sleep(200);
    const cells: Array<{ probe: Probe; label: string }> = [];
    for (const from of hosts) {
      for (const to of hosts) {
        if (from === to) continue;
        for (const toNic of to.interfaces) {
          const fromNic = sourceNic(from, toNic);
          if (!toNic.ip || !fromNic) continue;
          cells.push({ probe: { from, fromNic, to, toNic, protocol: 'icmp', port: null }, label: 'icmp' });
          for (const port of ports) cells.push({ probe: { from, fromNic, to, toNic, protocol: 'tcp', port }, label: `tcp/${port}` });
        }
      }
    }
    return await mapLimit(cells, ctx.cfg.concurrency, async ({ probe, label }) => {
      const ns = hostNetns(instance, probe.from.name);
      const ip = probe.toNic.ip as string;
      const argv =
        probe.protocol === 'icmp'
          ? ['ping', '-c', '1', '-W', '1', '-q', ip]
          : ['socat', '-T', '1', '/dev/null', `TCP:${ip}:${probe.port},connect-timeout=1`];
      const res = await run(inNetns(ns, argv), { allowFailure: true, timeoutMs: 5000 });
      return {
        from: probe.from.name,
        to: probe.to.name,
        toIp: ip,
        probe: label,
        expected: expectedReachable(r, probe),
        reached: res.code === 0,
      };
    });
  } finally {
    await terminate(listeners, 500);
  }
}
