import {
  type Cidr,
  NETWORK_NAME,
  SubnetAllocator,
  broadcastOf,
  cidrContains,
  cidrsOverlap,
  formatCidr,
  formatIpv4,
  parseCidr,
  parseIpv4,
} from '../model/index.js';

/** The builder's editable form of a blueprint. IP rules come from the same model the server uses. */
export interface DraftNic {
  network: string;
  ip: string;
}
export interface DraftHost {
  name: string;
  runtime: 'netns' | 'docker' | 'microvm';
  image: string;
  command: string;
  plugin: string;
  interfaces: DraftNic[];
}
export interface DraftNetwork {
  name: string;
  subnet: string;
  gateway: string;
  dhcp: boolean;
}
export interface Draft {
  name: string;
  networks: DraftNetwork[];
  routes: Array<[string, string]>;
  plugins: Record<string, unknown>;
  hosts: DraftHost[];
}

export const emptyDraft = (): Draft => ({
  name: 'my-range',
  networks: [{ name: 'lan', subnet: '10.0.1.0/24', gateway: '', dhcp: false }],
  routes: [],
  plugins: {},
  hosts: [],
});

function cidrOf(n: DraftNetwork): Cidr | null {
  const p = parseCidr(n.subnet);
  return 'cidr' in p ? p.cidr : null;
}

function gatewayOf(n: DraftNetwork, c: Cidr): number {
  return (n.gateway ? parseIpv4(n.gateway) : null) ?? c.network + 1;
}

/** What is wrong with one network, shown as the user types; null when it is fine. */
export function networkProblem(d: Draft, i: number): string | null {
  const n = d.networks[i];
  if (!n) return null;
  if (!NETWORK_NAME.test(n.name)) return 'name: use a-z, 0-9 and -, up to 24 characters';
  if (d.networks.findIndex((x) => x.name === n.name) !== i) return `name: "${n.name}" is used twice`;
  const p = parseCidr(n.subnet);
  if ('error' in p) return `subnet: ${p.error}`;
  for (let j = 0; j < i; j++) {
    const o = d.networks[j];
    const oc = o ? cidrOf(o) : null;
    if (o && oc && cidrsOverlap(p.cidr, oc)) return `subnet: overlaps ${o.name} (${formatCidr(oc)})`;
  }
  if (n.gateway) {
    const g = parseIpv4(n.gateway);
    if (g === null) return 'gateway: not an IPv4 address';
    if (!cidrContains(p.cidr, g) || g === p.cidr.network || g === broadcastOf(p.cidr))
      return `gateway: ${n.gateway} is not a host address of ${n.subnet}`;
  }
  return null;
}

/** Networks a host may use: only this range's, and only valid ones. */
export function usableNetworks(d: Draft): DraftNetwork[] {
  return d.networks.filter((_, i) => networkProblem(d, i) === null);
}

/** Addresses already taken in a network by the range's hosts (their NICs, in order). */
export function takenIps(d: Draft, network: string, skip?: { host: number; nic: number }): string[] {
  const out: string[] = [];
  d.hosts.forEach((h, hi) => {
    h.interfaces.forEach((nic, ni) => {
      if (nic.network === network && nic.ip && !(skip && skip.host === hi && skip.nic === ni)) out.push(nic.ip);
    });
  });
  return out;
}

/** The address auto-assignment would give next in a network (what choosing the network fills in). */
export function nextFreeIp(d: Draft, network: string, skip?: { host: number; nic: number }): string | null {
  const n = d.networks.find((x) => x.name === network);
  const c = n ? cidrOf(n) : null;
  if (!n || !c) return null;
  const alloc = new SubnetAllocator(c, { gateway: gatewayOf(n, c) });
  for (const ip of takenIps(d, network, skip)) {
    const a = parseIpv4(ip);
    if (a !== null && cidrContains(c, a)) alloc.take(a);
  }
  try {
    return formatIpv4(alloc.allocate());
  } catch {
    return null;
  }
}

/** What is wrong with one NIC of a host; null when it is fine. */
export function nicProblem(d: Draft, hi: number, ni: number): string | null {
  const h = d.hosts[hi];
  const nic = h?.interfaces[ni];
  if (!h || !nic) return null;
  if (!nic.network) return 'choose a network';
  const n = d.networks.find((x) => x.name === nic.network);
  if (!n) return `network ${nic.network} is not in this range`;
  if (h.interfaces.findIndex((x) => x.network === nic.network) !== ni) return `network ${nic.network} is already on this host`;
  if (!nic.ip) return null;
  const c = cidrOf(n);
  const a = parseIpv4(nic.ip);
  if (a === null) return `"${nic.ip}" is not an IPv4 address`;
  if (!c) return null;
  if (!cidrContains(c, a)) return `${nic.ip} is not in network ${n.name} (${formatCidr(c)})`;
  if (a === c.network || a === broadcastOf(c)) return `${nic.ip} is the network or broadcast address`;
  if (a === gatewayOf(n, c)) return `${nic.ip} is the gateway of ${n.name}`;
  if (takenIps(d, nic.network, { host: hi, nic: ni }).includes(nic.ip)) return `${nic.ip} is already used in ${n.name}`;
  return null;
}

/** Whether any inline problem remains. */
export function draftHasProblems(d: Draft): boolean {
  return d.networks.some((_, i) => networkProblem(d, i)) || d.hosts.some((h, hi) => h.interfaces.some((_, ni) => nicProblem(d, hi, ni)));
}

/** The blueprint the server stores, in the DESIGN format. */
export function draftToBlueprint(d: Draft): Record<string, unknown> {
  return {
    name: d.name,
    ...(Object.keys(d.plugins).length ? { plugins: d.plugins } : {}),
    networks: d.networks.map((n) => ({
      name: n.name,
      subnet: n.subnet,
      ...(n.gateway ? { gateway: n.gateway } : {}),
      ...(n.dhcp ? { dhcp: true } : {}),
    })),
    ...(d.routes.length ? { routes: d.routes } : {}),
    vms: d.hosts.map((h) => ({
      name: h.name,
      ...(h.plugin ? { plugin: h.plugin } : { runtime: h.runtime }),
      ...(h.image ? { image: h.image } : {}),
      ...(h.command.trim() ? { command: h.command.trim().split(/\s+/) } : {}),
      interfaces: h.interfaces.map((n) => ({ network: n.network, ...(n.ip ? { ip: n.ip } : {}) })),
    })),
  };
}

/** The loose shape of a parsed blueprint the builder reads back. */
type LooseHost = {
  name: string;
  runtime?: DraftHost['runtime'];
  image?: string;
  command?: string | string[];
  plugin?: string;
  network_id?: string;
  ip_address?: string;
  interfaces?: Array<{ network: string; ip?: string | null }>;
};

/** A stored blueprint (already parsed) as a draft. */
export function blueprintToDraft(input: unknown): Draft {
  const raw = input as {
    name?: string;
    plugins?: Record<string, unknown>;
    routes?: Array<[string, string]>;
    networks?: Array<{ name: string; subnet: string; gateway?: string; dhcp?: unknown }>;
    vms?: LooseHost[];
  };
  return {
    name: raw.name ?? 'range',
    plugins: raw.plugins ?? {},
    networks: (raw.networks ?? []).map((n) => ({ name: n.name, subnet: n.subnet, gateway: n.gateway ?? '', dhcp: !!n.dhcp })),
    routes: raw.routes ?? [],
    hosts: (raw.vms ?? []).map((h) => ({
      name: h.name,
      runtime: h.runtime ?? 'netns',
      image: h.image ?? '',
      command: Array.isArray(h.command) ? h.command.join(' ') : (h.command ?? ''),
      plugin: h.plugin ?? '',
      interfaces: (h.interfaces ?? (h.network_id ? [{ network: h.network_id, ip: h.ip_address }] : [])).map((n) => ({
        network: n.network,
        ip: n.ip ?? '',
      })),
    })),
  };
}
