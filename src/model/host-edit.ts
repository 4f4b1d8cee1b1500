import { CyrangeError, type Problem, ValidationError } from './errors.js';
import { problemsFromZod } from './blueprint.js';
import { resolveRange } from './resolve.js';
import { type RawHost, RawHost as RawHostSchema, type RawMicrovm, type RawNetwork, type RawRateLimit } from './schema.js';
import type { MicrovmSpec, RateLimit, ResolvedHost, ResolvedNetwork, ResolvedRange } from './types.js';

function networkToRaw(n: ResolvedNetwork): RawNetwork {
  return {
    name: n.name,
    subnet: n.subnet,
    gateway: n.gateway,
    egress: n.egress,
    ...(n.hostBridge ? { host_bridge: n.hostBridge } : {}),
    ...(n.dhcp ? { dhcp: { start: n.dhcp.start, end: n.dhcp.end, lease_seconds: n.dhcp.leaseSeconds } } : {}),
    dns: [...n.dns],
    ...(n.reserved?.length ? { reserved: [...n.reserved] } : {}),
  };
}

/** A NIC's resolved rate limit as a raw `rate_limit` field (none when unlimited or stored before limits existed). */
function rateLimitToRaw(l: RateLimit | null | undefined): { rate_limit?: RawRateLimit } {
  if (!l) return {};
  return {
    rate_limit: {
      ...(l.ingressMbps !== null ? { ingress_mbps: l.ingressMbps } : {}),
      ...(l.egressMbps !== null ? { egress_mbps: l.egressMbps } : {}),
      burst_kb: l.burstKb,
    },
  };
}

function microvmToRaw(m: MicrovmSpec): RawMicrovm {
  return {
    launcher: m.launcher,
    ...(m.kernel ? { kernel: m.kernel } : {}),
    ...(m.initrd ? { initrd: m.initrd } : {}),
    ...(m.disk ? { disk: m.disk } : {}),
    ...(m.append ? { append: m.append } : {}),
    ...(m.init ? { init: m.init } : {}),
  };
}

/** A resolved host written back as raw input with every address and MAC pinned, so re-resolving keeps it as it is. */
function hostToRaw(h: ResolvedHost): RawHost {
  return {
    name: h.name,
    runtime: h.runtime,
    ...(h.image ? { image: h.image } : {}),
    ...(h.command ? { command: [...h.command] } : {}),
    env: { ...h.env },
    resources: {
      ...(h.resources.memoryBytes !== null ? { memory: h.resources.memoryBytes } : {}),
      ...(h.resources.cpus !== null ? { cpus: h.resources.cpus } : {}),
    },
    network: { mode: h.network.mode, ...(h.network.auto_assign !== undefined ? { auto_assign: h.network.auto_assign } : {}) },
    interfaces: h.interfaces.map((n) => ({ network: n.network, ip: n.ip, mac: n.mac, ...rateLimitToRaw(n.rateLimit) })),
    ip_forward: h.ipForward,
    hidden: h.hidden,
    ...(h.vncPort !== null ? { vnc_port: h.vncPort } : {}),
    ...(h.microvm ? { microvm: microvmToRaw(h.microvm) } : {}),
  };
}

/**
 * Adds one host, given as raw input, to a resolved range: it is checked with every blueprint rule
 * against the hosts already there, whose addresses stay as they are. Problem paths are relative to
 * the host (`interfaces[1].ip`).
 */
export function addHostTo(range: ResolvedRange, input: unknown): { range: ResolvedRange; host: ResolvedHost } {
  const parsed = RawHostSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new ValidationError(problemsFromZod(parsed.error));
  if (range.hosts.some((h) => h.name === parsed.data.name))
    throw new ValidationError([{ path: 'name', message: `a host named "${parsed.data.name}" already exists in ${range.instance}` }]);
  if (parsed.data.plugin !== undefined)
    throw new ValidationError([{ path: 'plugin', message: 'plugins apply to blueprints; give runtime and image here' }]);
  const index = range.hosts.length;
  const raw = {
    name: range.name,
    networks: range.networks.map(networkToRaw),
    routes: range.routes.map(([a, b]) => [a, b] as [string, string]),
    vms: [...range.hosts.map(hostToRaw), parsed.data],
  };
  let next: ResolvedRange;
  try {
    next = resolveRange(raw, { instance: range.instance });
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const prefix = `vms[${index}]`;
    const own: Problem[] = e.problems
      .filter((p) => p.path === prefix || p.path.startsWith(`${prefix}.`))
      .map((p) => ({ path: p.path.slice(prefix.length).replace(/^\./, ''), message: p.message }));
    if (own.length === 0) throw new CyrangeError('CYR_INTERNAL', `existing hosts no longer resolve: ${e.message}`);
    throw new ValidationError(own);
  }
  const host = next.hosts[index] as ResolvedHost;
  return { range: { ...range, hosts: [...range.hosts, host] }, host };
}

/** Removes a host from a resolved range. */
export function removeHostFrom(range: ResolvedRange, name: string): { range: ResolvedRange; host: ResolvedHost } {
  const host = range.hosts.find((h) => h.name === name);
  if (!host) throw new CyrangeError('CYR_NOT_FOUND', `no host "${name}" in "${range.instance}"`);
  return { range: { ...range, hosts: range.hosts.filter((h) => h !== host) }, host };
}

/**
 * Moves a host to vsock mode: it keeps no NIC, so its addresses (leases) are released. Returns the
 * NICs it had, for the kernel side to remove.
 */
export function toVsockMode(range: ResolvedRange, name: string): { range: ResolvedRange; released: ResolvedHost['interfaces'] } {
  const host = range.hosts.find((h) => h.name === name);
  if (!host) throw new CyrangeError('CYR_NOT_FOUND', `no host "${name}" in "${range.instance}"`);
  const next: ResolvedHost = { ...host, network: { mode: 'vsock' }, interfaces: [] };
  return { range: { ...range, hosts: range.hosts.map((h) => (h === host ? next : h)) }, released: host.interfaces };
}
