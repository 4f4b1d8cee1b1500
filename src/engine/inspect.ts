import type { ObservedNic } from '../dataplane/index.js';
import { type HostState, type HostWithState, type RangeContext, getRuntime } from '../runtimes/index.js';
import { byAttachment } from './attachments.js';
import { type EngineContext, rangeContext, requireRange } from './context.js';
import { mapLimit } from './limit.js';
import type { RangeStatus } from './store-port.js';

/** One NIC as inspect shows it: what the blueprint says, and what the kernel has. */
export interface InspectedNic {
  readonly ifname: string;
  readonly network: string;
  readonly ip: string | null;
  readonly prefix: number;
  readonly mac: string;
  readonly addressing: string;
  readonly primary: boolean;
  /** Addresses and link state read inside the host; null when the host has no namespace. */
  readonly observed: { readonly ipv4: readonly string[]; readonly mac: string; readonly state: string } | null;
}

/** One host as inspect shows it. */
export interface InspectedHost {
  readonly name: string;
  readonly runtime: string;
  readonly mode: string;
  readonly state: HostState;
  readonly interfaces: readonly InspectedNic[];
  /** How the host runs, where its runtime says (a microVM: launcher, accel, channel). */
  readonly runtimeInfo?: Readonly<Record<string, string>>;
}

/** A range instance with the live state of its hosts. */
export interface InspectResult {
  readonly instance: string;
  readonly blueprint: string;
  readonly status: RangeStatus;
  readonly networks: ReadonlyArray<{ name: string; subnet: string; gateway: string; egress: string; dhcp: boolean; bridge: string }>;
  readonly hosts: readonly InspectedHost[];
}

async function inspectHost(rctx: RangeContext, { host, state }: HostWithState, observed: readonly ObservedNic[]): Promise<InspectedHost> {
  const byName = new Map(observed.map((o) => [o.ifname, o]));
  const info = state === 'missing' ? null : ((await getRuntime(host.runtime).describe?.(rctx, host)) ?? null);
  return {
    name: host.name,
    runtime: host.runtime,
    mode: host.network.mode,
    state,
    ...(info ? { runtimeInfo: info } : {}),
    interfaces: host.interfaces.map((n) => {
      const o = byName.get(n.ifname);
      return {
        ifname: n.ifname,
        network: n.network,
        ip: n.ip,
        prefix: n.prefix,
        mac: n.mac,
        addressing: n.addressing,
        primary: n.primary,
        observed: o ? { ipv4: o.ipv4, mac: o.mac, state: o.operstate } : null,
      };
    }),
  };
}

/** Reads an instance from the store and its hosts' live state from their runtimes and namespaces. */
export async function inspect(ctx: EngineContext, instance: string): Promise<InspectResult> {
  const rec = await requireRange(ctx, instance);
  const r = rec.resolved;
  const rctx = rangeContext(ctx, instance, r);
  const states = await mapLimit(r.hosts, ctx.cfg.concurrency, async (host) => ({
    host,
    state: await getRuntime(host.runtime).state(rctx, host),
  }));
  // Each attachment reads its hosts' NICs at once (veths: one `ip -batch` for all).
  const nics = new Map<string, ObservedNic[]>();
  for (const [att, hs] of byAttachment(states, (s) => s.host)) for (const [name, seen] of await att.observe(rctx, hs)) nics.set(name, seen);
  return {
    instance,
    blueprint: r.name,
    status: rec.status,
    networks: r.networks.map((n) => ({
      name: n.name,
      subnet: n.subnet,
      gateway: n.gateway,
      egress: n.egress,
      dhcp: n.dhcp !== null,
      bridge: n.bridge,
    })),
    hosts: await mapLimit(states, ctx.cfg.concurrency, (s) =>
      inspectHost(rctx, s, s.state === 'missing' ? [] : (nics.get(s.host.name) ?? [])),
    ),
  };
}
