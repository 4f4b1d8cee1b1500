/**
 * A range's topology as a graph people paste into docs (as containerlab's `graph` does): networks and
 * hosts are nodes, every NIC is an edge from its host to its network labelled with its interface name
 * and address, and routed network pairs are dotted edges. Pure: no I/O.
 */
import type { ResolvedInterface, ResolvedRange } from './types.js';

/** Forms `renderGraph` writes. */
export const GRAPH_FORMATS = ['mermaid', 'dot', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** A network node. */
export interface GraphNetworkNode {
  readonly id: string;
  readonly kind: 'network';
  readonly name: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly egress: 'none' | 'nat' | 'bridge';
  readonly dhcp: boolean;
}

/** A host node. */
export interface GraphHostNode {
  readonly id: string;
  readonly kind: 'host';
  readonly name: string;
  readonly runtime: string;
  readonly mode: string;
  readonly hidden: boolean;
}

/** One NIC: host to network. */
export interface GraphNicEdge {
  readonly kind: 'nic';
  readonly source: string;
  readonly target: string;
  readonly ifname: string;
  /** The address, or null for a DHCP NIC. */
  readonly ip: string | null;
  readonly prefix: number;
  readonly addressing: ResolvedInterface['addressing'];
  readonly mac: string;
  readonly primary: boolean;
}

/** A pair of networks the range routes between. */
export interface GraphRouteEdge {
  readonly kind: 'route';
  readonly source: string;
  readonly target: string;
}

/** The topology of one range: what the JSON form holds and the others draw. */
export interface TopologyGraph {
  readonly name: string;
  readonly instance: string;
  readonly nodes: ReadonlyArray<GraphNetworkNode | GraphHostNode>;
  readonly edges: ReadonlyArray<GraphNicEdge | GraphRouteEdge>;
}

const netId = (name: string) => `network:${name}`;
const hostId = (name: string) => `host:${name}`;

/** The topology of a resolved range: networks, then hosts, in blueprint order; NIC edges in host order. */
export function topologyOf(range: ResolvedRange): TopologyGraph {
  const nodes: Array<GraphNetworkNode | GraphHostNode> = [];
  const edges: Array<GraphNicEdge | GraphRouteEdge> = [];
  for (const n of range.networks)
    nodes.push({
      id: netId(n.name),
      kind: 'network',
      name: n.name,
      subnet: n.subnet,
      gateway: n.gateway,
      egress: n.egress,
      dhcp: n.dhcp !== null,
    });
  for (const h of range.hosts) {
    nodes.push({ id: hostId(h.name), kind: 'host', name: h.name, runtime: h.runtime, mode: h.network.mode, hidden: h.hidden });
    for (const nic of h.interfaces)
      edges.push({
        kind: 'nic',
        source: hostId(h.name),
        target: netId(nic.network),
        ifname: nic.ifname,
        ip: nic.ip,
        prefix: nic.prefix,
        addressing: nic.addressing,
        mac: nic.mac,
        primary: nic.primary,
      });
  }
  for (const [a, b] of range.routes) edges.push({ kind: 'route', source: netId(a), target: netId(b) });
  return { name: range.name, instance: range.instance, nodes, edges };
}

/** An edge's label: interface name and address (`dhcp` when the address is leased). */
function nicLabel(e: GraphNicEdge): string {
  return `${e.ifname} ${e.ip ?? 'dhcp'}`;
}

/** A network's label lines: name, subnet, and what is special about it. */
function networkLines(n: GraphNetworkNode): string[] {
  const extra = [n.egress !== 'none' ? `egress ${n.egress}` : '', n.dhcp ? 'dhcp' : ''].filter(Boolean).join(', ');
  return [n.name, n.subnet, ...(extra ? [extra] : [])];
}

/** A host's label lines: name, runtime, and its mode when it is not the default. */
function hostLines(h: GraphHostNode): string[] {
  return [h.name, h.mode === 'bridged' ? h.runtime : `${h.runtime}, ${h.mode}`];
}

/** A Mermaid node id: names are [a-z0-9-], and `_` never occurs in them, so this is one-to-one. */
function mermaidId(id: string): string {
  const [kind, name] = id.split(':') as [string, string];
  return `${kind === 'network' ? 'n' : 'h'}_${name.replaceAll('-', '_')}`;
}

/** Mermaid label text inside double quotes: `"` and `#` as entities, lines joined by `<br/>`. */
function mermaidText(lines: readonly string[]): string {
  return lines.map((l) => l.replaceAll('#', '#35;').replaceAll('"', '#quot;')).join('<br/>');
}

/** The topology as a Mermaid flowchart: networks as rounded nodes, hosts as boxes. */
export function renderMermaid(g: TopologyGraph): string {
  const out = [`%% ${g.instance}: networks (rounded) and hosts (boxes), one edge per NIC`, 'graph LR'];
  for (const n of g.nodes) {
    const id = mermaidId(n.id);
    out.push(n.kind === 'network' ? `  ${id}(["${mermaidText(networkLines(n))}"])` : `  ${id}["${mermaidText(hostLines(n))}"]`);
  }
  for (const e of g.edges) {
    const a = mermaidId(e.source);
    const b = mermaidId(e.target);
    out.push(e.kind === 'nic' ? `  ${a} ---|"${mermaidText([nicLabel(e)])}"| ${b}` : `  ${a} -.-|routed| ${b}`);
  }
  return `${out.join('\n')}\n`;
}

/** A DOT double-quoted string. */
function dotString(s: string): string {
  return `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/** The topology as a Graphviz DOT undirected graph: networks as ellipses, hosts as boxes. */
export function renderDot(g: TopologyGraph): string {
  const out = [
    `graph ${dotString(g.instance)} {`,
    '  graph [rankdir=LR];',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const n of g.nodes) {
    if (n.kind === 'network') out.push(`  ${dotString(n.id)} [shape=ellipse, label=${dotString(networkLines(n).join('\n'))}];`);
    else out.push(`  ${dotString(n.id)} [shape=box, label=${dotString(hostLines(n).join('\n'))}${n.hidden ? ', style=dashed' : ''}];`);
  }
  for (const e of g.edges) {
    if (e.kind === 'nic') out.push(`  ${dotString(e.source)} -- ${dotString(e.target)} [label=${dotString(nicLabel(e))}];`);
    else out.push(`  ${dotString(e.source)} -- ${dotString(e.target)} [style=dashed, label="routed"];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** The topology as indented JSON (`nodes` and `edges`). */
export function renderGraphJson(g: TopologyGraph): string {
  return `${JSON.stringify(g, null, 2)}\n`;
}

/** A range's topology in one of `GRAPH_FORMATS`. */
export function renderGraph(range: ResolvedRange, format: GraphFormat): string {
  const g = topologyOf(range);
  switch (format) {
    case 'mermaid':
      return renderMermaid(g);
    case 'dot':
      return renderDot(g);
    case 'json':
      return renderGraphJson(g);
    default: {
      const never: never = format;
      throw new Error(`unknown graph format ${String(never)}`);
    }
  }
}
