import {
  type RangeChange,
  type ResolvedHost,
  type ResolvedInterface,
  type ResolvedNetwork,
  type ResolvedRange,
  ValidationError,
  describeChange,
  diffRanges,
  formatProblem,
  loadRawRange,
  parseCidr,
  resolveRange,
} from '../model/index.js';
import type { RangeView } from './api.js';

/** What the range page knows of a deployed range: its view from `GET /api/ranges/{name}`. */
type View = Pick<RangeView, 'name' | 'blueprint' | 'networks' | 'routes' | 'hosts'>;
type ViewHost = NonNullable<View['hosts']>[number];

/** Fields of the deployed range the view shows, and so the only ones the preview compares. */
export const COMPARED =
  'networks (subnet, gateway, egress, DHCP), routes, hosts (runtime, image, network mode, hidden, VNC port) and NICs (address, MAC)';

const prefixOf = (subnet: string) => {
  const c = parseCidr(subnet);
  return 'cidr' in c ? c.cidr.prefix : 0;
};

function viewNics(h: ViewHost, view: View, next: ResolvedHost | undefined): ResolvedInterface[] {
  return h.networks.map((n) => {
    const was = next?.interfaces.find((x) => x.network === n.network_id);
    const net = view.networks.find((x) => x.name === n.network_id);
    // A DHCP NIC's shown address is the one observed, not one the range assigns.
    const dhcp = h.mode === 'dhcp';
    return {
      network: n.network_id,
      ip: dhcp ? null : n.ip_address,
      prefix: prefixOf(net?.subnet ?? ''),
      gateway: net?.gateway ?? '',
      addressing: dhcp ? 'dhcp' : (was?.addressing ?? 'static'),
      mac: n.mac,
      primary: n.is_primary,
      ifname: n.ifname,
      peer: was?.peer ?? '',
      rateLimit: was?.rateLimit ?? null,
    };
  });
}

/**
 * The deployed range as far as its view shows it. What the view does not show is taken from `next`,
 * so it counts as unchanged: the preview lists only changes it can see.
 */
export function seenRange(view: View, next: ResolvedRange): ResolvedRange {
  const networks = view.networks.map((n): ResolvedNetwork => {
    const to = next.networks.find((x) => x.name === n.name);
    const pool = to?.dhcp ?? { start: '', end: '', leaseSeconds: 0 };
    return {
      ...(to ?? { hostBridge: null, dns: [], bridge: '' }),
      name: n.name,
      subnet: n.subnet,
      prefix: prefixOf(n.subnet),
      gateway: n.gateway,
      egress: n.egress,
      dhcp: n.dhcp ? pool : null,
    };
  });
  const hosts = (view.hosts ?? []).map((h): ResolvedHost => {
    const to = next.hosts.find((x) => x.name === h.name);
    const base: ResolvedHost = to ?? {
      name: h.name,
      runtime: h.runtime,
      plugin: null,
      image: null,
      command: null,
      env: {},
      resources: { memoryBytes: null, cpus: null },
      network: { mode: h.mode },
      interfaces: [],
      ipForward: false,
      hidden: false,
      vncPort: null,
    };
    return {
      ...base,
      runtime: h.runtime,
      image: h.image,
      network: { ...base.network, mode: h.mode },
      interfaces: viewNics(h, view, to),
      hidden: h.hidden,
      vncPort: h.vnc_port,
    };
  });
  return { ...next, name: view.blueprint, networks, routes: view.routes.map(([a, b]) => [a, b] as const), hosts };
}

/** What applying `source` to the range would change, as `cyrange plan` prints it, or the blueprint's problems. */
export function previewApply(view: View, source: string): { lines: string[]; replaces: boolean } | { problems: string[] } {
  // The addresses and interface names the range has now are kept, as the server keeps them.
  const pin = {
    hosts: (view.hosts ?? []).map((h) => ({ name: h.name, interfaces: viewNics(h, view, undefined) })),
  } as unknown as ResolvedRange;
  let next: ResolvedRange;
  try {
    next = resolveRange(loadRawRange(source), { instance: view.name, pin });
  } catch (e) {
    if (e instanceof ValidationError) return { problems: e.problems.map(formatProblem) };
    return { problems: [(e as Error).message] };
  }
  const changes: readonly RangeChange[] = diffRanges(seenRange(view, next), next).changes;
  return { lines: changes.map(describeChange), replaces: changes.some((c) => c.kind === 'replace') };
}
