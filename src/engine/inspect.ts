import { PassThrough, Readable } from 'node:stream';
import { type ObservedNic, observeManyHostNics } from '../dataplane/index.js';
import { CyrangeError, type ResolvedHost, hostNetns } from '../model/index.js';
import { type HostState, type RangeContext, getRuntime } from '../runtimes/index.js';
import { type EngineContext, rangeContext, usesTaps } from './deploy.js';
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

/** Lines "IFNAME MAC OPERSTATE ADDR/PREFIX…" for each NIC, printed inside a guest. */
const GUEST_NIC_SCRIPT = [
  'for d in /sys/class/net/*; do n=$(basename "$d"); [ "$n" = lo ] && continue',
  `echo "$n $(cat "$d/address") $(cat "$d/operstate") $(ip -o -4 addr show dev "$n" | awk '{print $4}' | tr '\\n' ' ')"`,
  'done',
].join('; ');

/** A VM's NICs as its guest sees them, read over its control channel; none when it does not answer. */
async function observeGuestNics(rctx: RangeContext, host: ResolvedHost): Promise<ObservedNic[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (d: Buffer) => chunks.push(d));
  try {
    const code = await getRuntime(host.runtime).exec(rctx, host, ['sh', '-c', GUEST_NIC_SCRIPT], {
      stdin: Readable.from([]),
      stdout: out,
      stderr: new PassThrough(),
    });
    if (code !== 0) return [];
  } catch {
    return [];
  }
  return Buffer.concat(chunks)
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ifname = '', mac = '', operstate = '', ...ipv4] = line.trim().split(/\s+/);
      return { ifname, mac, operstate: operstate.toUpperCase(), ipv4 };
    });
}

async function inspectHost(rctx: RangeContext, host: ResolvedHost, nics: ReadonlyMap<string, ObservedNic[]>): Promise<InspectedHost> {
  const state = await getRuntime(host.runtime).state(rctx, host);
  const observed: ObservedNic[] =
    state === 'missing'
      ? []
      : usesTaps(host)
        ? state === 'running'
          ? await observeGuestNics(rctx, host)
          : []
        : (nics.get(hostNetns(rctx.instance, host.name)) ?? []);
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
  const rec = await ctx.store.getRange(instance);
  if (!rec) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`, { hint: 'see `cyrange ls`' });
  const r = rec.resolved;
  const rctx = rangeContext(ctx, instance, r);
  const nics = await observeManyHostNics(r.hosts.filter((h) => !usesTaps(h)).map((h) => hostNetns(instance, h.name)));
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
    hosts: await mapLimit(r.hosts, ctx.cfg.concurrency, (h) => inspectHost(rctx, h, nics)),
  };
}
