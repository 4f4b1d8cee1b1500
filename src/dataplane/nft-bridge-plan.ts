import type { ResolvedPolicy, ResolvedRange } from '../model/index.js';

/** Name of the bridge-family table Cyrange owns in every range namespace: policies and anti-spoofing. */
export const NFT_BRIDGE_TABLE = 'cyrange';

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
 * Policies and anti-spoofing as a bridge-family table, so that traffic between two hosts on the same
 * bridge is filtered too. Ingress rules match frames leaving the bridge towards a host's port, egress
 * rules frames entering from it; `forward` sees bridged traffic, `input`/`output` routed traffic.
 * Each NIC may send only from its own MAC and, with a static or auto address, its own IP (a host
 * that forwards for others keeps only the MAC check). Replies are let through statelessly (see below):
 * a deny stops new TCP connections and all matching UDP and ICMP requests.
 */
export function planBridgeFilter(range: ResolvedRange): string {
  const spoof: string[] = [];
  for (const h of range.hosts) {
    for (const n of h.interfaces) {
      spoof.push(`iifname "${n.peer}" ether saddr != ${n.mac} drop`);
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
    const ports = portsOf(range, p);
    if (ports.length === 0) continue;
    const verdict = p.action === 'allow' ? 'accept' : 'drop';
    // Policies are about IP traffic: ARP and other link-level frames always pass.
    const rule = `${p.direction === 'ingress' ? 'oifname' : 'iifname'} ${set(ports)} ether type ip ${match(p)} ${verdict}`.replace(
      / {2,}/g,
      ' ',
    );
    fwd.push(rule);
    (p.direction === 'ingress' ? output : input).push(rule);
  }
  const chain = (name: string, hook: string, prio: string, rules: string[], stateful: boolean) => [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority ${prio}; policy accept;`,
    // The bridge family has no connection tracking here (no nf_conntrack_bridge): replies pass
    // statelessly: TCP segments that do not open a connection, and ICMP answers and errors.
    ...(stateful && rules.length
      ? [
          '    meta l4proto tcp tcp flags & (syn | ack) != syn accept',
          '    icmp type { echo-reply, destination-unreachable, time-exceeded } accept',
          '    udp sport 67 udp dport 68 accept',
        ]
      : []),
    ...rules.map((r) => `    ${r}`),
    '  }',
  ];
  return [
    `table bridge ${NFT_BRIDGE_TABLE}`,
    `delete table bridge ${NFT_BRIDGE_TABLE}`,
    `table bridge ${NFT_BRIDGE_TABLE} {`,
    ...chain('spoof', 'prerouting', '-200', spoof, false),
    ...chain('forward', 'forward', '0', fwd, true),
    ...chain('input', 'input', '0', input, true),
    ...chain('output', 'output', '0', output, true),
    '}',
    '',
  ].join('\n');
}
