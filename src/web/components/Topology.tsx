import {
  Background,
  BaseEdge,
  type Edge,
  EdgeLabelRenderer,
  type EdgeProps,
  Handle,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
  getBezierPath,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { RangeView } from '../api.js';

const STATE_COLOR: Record<string, string> = { running: '#2e7d32', stopped: '#b26a00', missing: '#c62828' };

/**
 * Layout. Networks form a middle row; hosts sit below it (and, past ROW_MAX hosts, half of them
 * above it). Every NIC has its own handle on the side of its host that faces the networks, one
 * SLOT apart, and its label (the NIC's address) sits just off that handle. A host is at least
 * SLOT wide per NIC and labels are narrower than SLOT, so a label never leaves its host's
 * horizontal span: labels of one host do not meet, and hosts do not overlap, so no two labels do.
 */
const SLOT = 110;
const LABEL_MAX = SLOT - 10;
const HOST_MIN = 150;
const HOST_GAP = 40;
const HOST_H = 56;
const NET_W = 180;
const NET_H = 48;
const NET_GAP = 40;
const ROW_GAP = 170;
const ROW_MAX = 6;
/** Distance from a host's edge to the middle of its NIC labels. */
const LABEL_OFF = 13;

type Side = 'below' | 'above';
interface NicSlot {
  network: string;
  label: string;
}
type HostData = { name: string; sub: string; color: string; side: Side; slots: NicSlot[]; width: number };
type NetData = { name: string; subnet: string; used: Record<Side, boolean> };
type NicEdgeData = { label: string; host: string; network: string; side: Side };

function NetworkNode({ data }: NodeProps<Node<NetData>>) {
  return (
    <div className="topo-net" style={{ width: NET_W, height: NET_H }}>
      <Handle
        type="source"
        position={Position.Top}
        id="top"
        isConnectable={false}
        style={data.used.above ? {} : { visibility: 'hidden' }}
      />
      <b>{data.name}</b>
      <span className="muted">{data.subnet}</span>
      <Handle
        type="source"
        position={Position.Bottom}
        id="bottom"
        isConnectable={false}
        style={data.used.below ? {} : { visibility: 'hidden' }}
      />
    </div>
  );
}

function HostNode({ data }: NodeProps<Node<HostData>>) {
  const pos = data.side === 'below' ? Position.Top : Position.Bottom;
  return (
    <div className="topo-host" style={{ width: data.width, height: HOST_H, borderColor: data.color }} data-host={data.name}>
      {data.slots.map((s, i) => (
        <Handle
          key={s.network}
          type="target"
          position={pos}
          id={s.network}
          isConnectable={false}
          style={{ left: (i + 0.5) * (data.width / data.slots.length) }}
        />
      ))}
      <b>{data.name}</b>
      <span className="muted">{data.sub}</span>
    </div>
  );
}

/** An edge from a network to one NIC, its label at the NIC's end, next to the host. */
function NicEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, style }: EdgeProps<Edge<NicEdgeData>>) {
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const y = data?.side === 'above' ? targetY + LABEL_OFF : targetY - LABEL_OFF;
  return (
    <>
      <BaseEdge id={id} path={path} style={style} />
      <EdgeLabelRenderer>
        <div
          className="nic-label nodrag nopan"
          data-host={data?.host}
          data-network={data?.network}
          title={data?.label}
          style={{ transform: `translate(-50%, -50%) translate(${targetX}px, ${y}px)`, maxWidth: LABEL_MAX }}
        >
          {data?.label}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

const nodeTypes = { network: NetworkNode, host: HostNode };
const edgeTypes = { nic: NicEdge };

/** Node positions and NIC order for a range; pure, so the same range always lays out the same way. */
function layout(range: RangeView): { nodes: Node[]; edges: Edge[] } {
  const nets = range.networks;
  const hosts = range.hosts ?? [];
  const netIndex = new Map(nets.map((n, i) => [n.name, i]));
  const idx = (network: string) => netIndex.get(network) ?? nets.length;
  // NICs of a host left to right in network order, so edges near a host do not cross.
  const slotsOf = (h: (typeof hosts)[number]): NicSlot[] =>
    [...h.networks]
      .sort((a, b) => idx(a.network_id) - idx(b.network_id))
      .map((n) => ({ network: n.network_id, label: n.ip_address ?? 'dhcp' }));
  const mean = (h: (typeof hosts)[number]) =>
    h.networks.length ? h.networks.reduce((s, n) => s + idx(n.network_id), 0) / h.networks.length : nets.length;
  // Hosts ordered by where their networks are (the barycenter), ties in blueprint order.
  const order = hosts.map((h, i) => ({ h, i, m: mean(h) })).sort((a, b) => a.m - b.m || a.i - b.i);
  const split = hosts.length > ROW_MAX;
  const rows: Record<Side, typeof order> = { below: [], above: [] };
  // With two rows, alternate so both rows span the networks.
  for (const [k, o] of order.entries()) rows[split && k % 2 === 1 ? 'above' : 'below'].push(o);

  const placed = new Map<string, { x: number; y: number; width: number; side: Side; slots: NicSlot[] }>();
  const rowWidth: Record<Side, number> = { below: 0, above: 0 };
  for (const side of ['below', 'above'] as const) {
    let x = 0;
    for (const { h } of rows[side]) {
      const slots = slotsOf(h);
      const width = Math.max(HOST_MIN, slots.length * SLOT);
      placed.set(h.name, { x, y: side === 'below' ? NET_H + ROW_GAP : -ROW_GAP - HOST_H, width, side, slots });
      x += width + HOST_GAP;
    }
    rowWidth[side] = Math.max(0, x - HOST_GAP);
  }
  // Center the shorter host row under the longer one.
  const widest = Math.max(rowWidth.below, rowWidth.above);
  for (const p of placed.values()) p.x += (widest - rowWidth[p.side]) / 2;

  // A network sits over the NICs on it (the mean of their handles), kept in order and apart.
  const handleX = new Map<string, number[]>();
  for (const p of placed.values())
    p.slots.forEach((s, i) => {
      const list = handleX.get(s.network) ?? [];
      list.push(p.x + (i + 0.5) * (p.width / p.slots.length));
      handleX.set(s.network, list);
    });
  const wantX = nets.map((n) => {
    const xs = handleX.get(n.name);
    return xs?.length ? xs.reduce((a, b) => a + b, 0) / xs.length - NET_W / 2 : null;
  });
  const netX: number[] = [];
  wantX.forEach((w, i) => {
    const prev = netX[i - 1];
    const next = prev === undefined ? 0 : prev + NET_W + NET_GAP;
    netX.push(w === null ? next : prev === undefined ? w : Math.max(w, next));
  });
  // Pushing apart moves networks right of where they want to be: shift the row back by the mean push.
  const pushed = wantX.flatMap((w, i) => (w === null ? [] : [(netX[i] as number) - w]));
  const back = pushed.length ? pushed.reduce((a, b) => a + b, 0) / pushed.length : 0;
  for (let i = 0; i < netX.length; i++) netX[i] = (netX[i] as number) - back;

  const nodes: Node[] = [
    ...nets.map(
      (n, i): Node<NetData> => ({
        id: `net:${n.name}`,
        type: 'network',
        position: { x: netX[i] as number, y: 0 },
        data: {
          name: n.name,
          subnet: n.subnet,
          used: {
            above: [...placed.values()].some((p) => p.side === 'above' && p.slots.some((x) => x.network === n.name)),
            below: [...placed.values()].some((p) => p.side === 'below' && p.slots.some((x) => x.network === n.name)),
          },
        },
        width: NET_W,
        height: NET_H,
      }),
    ),
    // In blueprint order in the DOM; only their positions follow the layout.
    ...hosts.map((h): Node<HostData> => {
      const p = placed.get(h.name) as NonNullable<ReturnType<typeof placed.get>>;
      return {
        id: `host:${h.name}`,
        type: 'host',
        position: { x: p.x, y: p.y },
        data: {
          name: h.name,
          sub: `${h.runtime} · ${h.state ?? '?'}`,
          color: STATE_COLOR[h.state ?? ''] ?? '#999',
          side: p.side,
          slots: p.slots,
          width: p.width,
        },
        width: p.width,
        height: HOST_H,
      };
    }),
  ];
  const edges: Edge[] = hosts.flatMap((h) => {
    const side = placed.get(h.name)?.side ?? 'below';
    return h.networks.map(
      (n): Edge<NicEdgeData> => ({
        id: `${h.name}:${n.network_id}`,
        type: 'nic',
        source: `net:${n.network_id}`,
        sourceHandle: side === 'below' ? 'bottom' : 'top',
        target: `host:${h.name}`,
        targetHandle: n.network_id,
        data: { label: n.ip_address ?? 'dhcp', host: h.name, network: n.network_id, side },
        animated: h.state === 'running',
      }),
    );
  });
  return { nodes, edges };
}

/** Networks in a row, hosts beside it, one edge per NIC labelled with its address at the host's end; host color shows live state. */
export function Topology({ range }: { range: RangeView }) {
  // Re-laid out only when what is drawn changes, not on every poll.
  const key = JSON.stringify([
    range.networks.map((n) => [n.name, n.subnet]),
    (range.hosts ?? []).map((h) => [h.name, h.runtime, h.state, h.networks.map((n) => [n.network_id, n.ip_address])]),
  ]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is what the layout depends on
  const { nodes, edges } = useMemo(() => layout(range), [key]);
  return (
    <div className="topology" data-testid="topology">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        fitView
        fitViewOptions={{ padding: 0.12 }}
        proOptions={{ hideAttribution: true }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
      >
        <Background />
      </ReactFlow>
    </div>
  );
}
