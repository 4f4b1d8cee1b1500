import { CyrangeError, type ResolvedPolicy, type ResolvedRange } from '../model/index.js';

/** Name of the bridge-family table Cyrange owns in every range namespace: policies and anti-spoofing. */
export const NFT_BRIDGE_TABLE = 'cyrange';

/** Name of the bridge table's map from a range-side port (veth or TAP end) to its NIC id. */
export const NIC_ID_MAP = 'nic_ids';

/** The metadata service listens on `METADATA_PORT_BASE + id` for the NIC with that id. */
export const METADATA_PORT_BASE = 20000;

/** Highest NIC id, so that every metadata port is a valid TCP port. */
export const MAX_NIC_ID = 65535 - METADATA_PORT_BASE;

/** The local port the metadata service answers one NIC on. */
export function metadataPort(id: number): number {
  return METADATA_PORT_BASE + id;
}

/**
 * Numbers every NIC of the range (by its range-side port) for the metadata service, which tells
 * callers apart by the port their packets came in on. `previous` is the mapping now in the kernel:
 * a NIC keeps its id for as long as it exists, and an id a NIC just gave up is not handed to a new
 * one in the same change, so the kernel and the service never disagree about whose id is whose.
 * New NICs get the lowest free ids, in range order. Pure.
 */
export function planNicIds(range: ResolvedRange, previous: ReadonlyMap<string, number> = new Map()): ReadonlyMap<string, number> {
  const peers = range.hosts.flatMap((h) => h.interfaces.map((n) => n.peer));
  const kept = new Map<string, number>();
  const taken = new Set<number>();
  for (const p of peers) {
    const id = previous.get(p);
    if (id !== undefined && Number.isInteger(id) && id >= 1 && id <= MAX_NIC_ID && !taken.has(id)) {
      kept.set(p, id);
      taken.add(id);
    }
  }
  const reserved = new Set([...taken, ...previous.values()]);
  const out = new Map<string, number>();
  let next = 1;
  for (const p of peers) {
    let id = kept.get(p);
    if (id === undefined) {
      while (reserved.has(next)) next++;
      if (next > MAX_NIC_ID) throw new CyrangeError('CYR_INVALID', `a range has at most ${MAX_NIC_ID} NICs`);
      id = next;
      reserved.add(id);
    }
    out.set(p, id);
  }
  return out;
}

/** The `elements` clause of a named set or map, one element a line; nothing for an empty one. */
export function nftElements(elements: readonly string[]): string[] {
  if (elements.length === 0) return [];
  return ['    elements = {', ...elements.map((e, i) => `      ${e}${i < elements.length - 1 ? ',' : ''}`), '    }'];
}

function set(names: readonly string[]): string {
  return `{ ${names.map((n) => `"${n}"`).join(', ')} }`;
}

/** The range-side ports (veth ends) a policy applies to. */
function portsOf(range: ResolvedRange, p: ResolvedPolicy): string[] {
  const out: string[] = [];
  for (const h of range.hosts) {
    for (const n of h.interfaces) {
      if (p.target.kind === 'host' ? h.name === p.target.name : n.network === p.target.name) out.push(n.peer);
    }
  }
  return out;
}

function match(p: ResolvedPolicy): string {
  const parts: string[] = [];
  if (p.peer) parts.push(`ip ${p.direction === 'ingress' ? 'saddr' : 'daddr'} ${p.peer}`);
  if (p.protocol !== 'any') parts.push(`meta l4proto ${p.protocol}`);
  if (p.ports) parts.push(`th dport ${p.ports[0] === p.ports[1] ? p.ports[0] : `${p.ports[0]}-${p.ports[1]}`}`);
  return parts.join(' ');
}

/**
 * Policies, anti-spoofing and metadata caller identity as a bridge-family table, so that traffic
 * between two hosts on the same bridge is filtered too. Ingress rules match frames leaving the
 * bridge towards a host's port, egress rules frames entering from it; `forward` sees bridged
 * traffic, `input`/`output` routed traffic.
 * - Each NIC may send only from its own MAC (in Ethernet and ARP headers), only IPv4 and ARP (no
 *   IPv6 until ranges have IPv6 networks, no VLAN tags that would carry IP past the rules), and,
 *   with a static or auto address, only from its own IP (a host that forwards for others keeps
 *   the other checks). IPv6 is dropped on every bridge, whichever port it comes from.
 * - A request to the metadata service is marked with the id of the port it came in on
 *   (`nicIds`, from `planNicIds`); the routing table's NAT sends it to that NIC's own listener.
 * - Replies are let through statelessly (see below): a deny stops new TCP connections and all
 *   matching UDP and ICMP requests.
 */
export function planBridgeFilter(range: ResolvedRange, nicIds: ReadonlyMap<string, number> = planNicIds(range)): string {
  const ports = range.hosts.flatMap((h) => h.interfaces.map((n) => n.peer));
  const spoof: string[] = [];
  if (ports.length > 0) spoof.push(`iifname ${set(ports)} ether type != { ip, arp } drop`);
  for (const h of range.hosts) {
    for (const n of h.interfaces) {
      spoof.push(`iifname "${n.peer}" ether saddr != ${n.mac} drop`);
      spoof.push(`iifname "${n.peer}" ether type arp arp saddr ether != ${n.mac} drop`);
      if (n.ip && !h.ipForward) {
        spoof.push(`iifname "${n.peer}" ether type ip ip saddr != ${n.ip} drop`);
        spoof.push(`iifname "${n.peer}" ether type arp arp saddr ip != ${n.ip} drop`);
      }
    }
  }
  const fwd: string[] = [];
  const input: string[] = [];
  const output: string[] = [];
  for (const p of range.policies) {
    const targets = portsOf(range, p);
    if (targets.length === 0) continue;
    const verdict = p.action === 'allow' ? 'accept' : 'drop';
    // Policies are about IP traffic: ARP and other link-level frames always pass.
    const rule = `${p.direction === 'ingress' ? 'oifname' : 'iifname'} ${set(targets)} ether type ip ${match(p)} ${verdict}`.replace(
      / {2,}/g,
      ' ',
    );
    fwd.push(rule);
    (p.direction === 'ingress' ? output : input).push(rule);
  }
  const chain = (name: string, hook: string, prio: string, rules: string[], opts: { stateful: boolean; ipv6: boolean }) => [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority ${prio}; policy accept;`,
    ...(opts.ipv6 ? ['    ether type ip6 drop'] : []),
    // The bridge family has no connection tracking here (no nf_conntrack_bridge): replies pass
    // statelessly: TCP segments that do not open a connection, and ICMP answers and errors.
    ...(opts.stateful && rules.length
      ? [
          '    meta l4proto tcp tcp flags & (syn | ack) != syn accept',
          '    icmp type { echo-reply, destination-unreachable, time-exceeded } accept',
          '    udp sport 67 udp dport 68 accept',
        ]
      : []),
    ...rules.map((r) => `    ${r}`),
    '  }',
  ];
  const ids = ports.map((p) => {
    const id = nicIds.get(p);
    if (id === undefined) throw new CyrangeError('CYR_INTERNAL', `no metadata id for port ${p}`);
    return `"${p}" : ${id}`;
  });
  return [
    `table bridge ${NFT_BRIDGE_TABLE}`,
    `delete table bridge ${NFT_BRIDGE_TABLE}`,
    `table bridge ${NFT_BRIDGE_TABLE} {`,
    `  map ${NIC_ID_MAP} {`,
    '    type ifname : mark',
    ...nftElements(ids),
    '  }',
    ...chain('spoof', 'prerouting', '-200', spoof, { stateful: false, ipv6: false }),
    '  chain identify {',
    '    type filter hook prerouting priority -150; policy accept;',
    `    ether type ip ip daddr 169.254.169.254 tcp dport 80 meta mark set iifname map @${NIC_ID_MAP}`,
    '  }',
    ...chain('forward', 'forward', '0', fwd, { stateful: true, ipv6: true }),
    ...chain('input', 'input', '0', input, { stateful: true, ipv6: true }),
    ...chain('output', 'output', '0', output, { stateful: true, ipv6: false }),
    '}',
    '',
  ].join('\n');
}
