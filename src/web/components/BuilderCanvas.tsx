import {
  Background,
  type Connection,
  Controls,
  type Edge,
  Handle,
  type Node,
  type NodeChange,
  type NodeProps,
  Panel,
  Position,
  ReactFlow,
  type ReactFlowInstance,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useRef, useState } from 'react';
import { resolvedNic } from '../check.js';
import { pushIn, removeAt } from '../doc.js';
import type { EditorProps } from './fields.js';
import { networksOf } from './InterfaceEditor.js';

type NetData = { name: string; subnet: string };
type HostData = { name: string; sub: string };
type XY = { x: number; y: number };

function NetworkNode({ data }: NodeProps<Node<NetData>>) {
  return (
    <div className="topo-net" data-network={data.name}>
      <b>{data.name}</b>
      <span className="muted">{data.subnet}</span>
      <Handle type="target" position={Position.Bottom} id="nic" />
    </div>
  );
}

function HostNode({ data }: NodeProps<Node<HostData>>) {
  return (
    <div className="topo-host" data-host={data.name}>
      <Handle type="source" position={Position.Top} id="nic" />
      <b>{data.name}</b>
      <span className="muted">{data.sub}</span>
    </div>
  );
}

const nodeTypes = { network: NetworkNode, host: HostNode };
const FIT = { padding: 0.2, maxZoom: 1.2 };

/** The first `prefix<n>` not in `taken`. */
function freshName(prefix: string, taken: readonly string[]): string {
  for (let n = taken.length; ; n++) if (!taken.includes(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** The first 10.0.<k>.0/24 no network of the range uses as its subnet text. */
function freshSubnet(subnets: readonly string[]): string {
  for (let k = 1; ; k++) if (!subnets.includes(`10.0.${k}.0/24`)) return `10.0.${k}.0/24`;
}

/**
 * The blueprint as a graph: networks in a row, hosts below, one edge per NIC labelled with the
 * address the model gives it. Dragging from a host to a network adds a NIC; deleting an edge removes
 * it. Node positions are the view's own, not part of the blueprint.
 */
export function BuilderCanvas({ doc, value, check, onChange }: EditorProps) {
  const [moved, setMoved] = useState<Record<string, XY>>({});
  const [measured, setMeasured] = useState<Record<string, { width: number; height: number }>>({});
  const flow = useRef<ReactFlowInstance | null>(null);
  const nets = networksOf(value);
  const hosts = (Array.isArray(value.vms) ? value.vms : []) as Array<Record<string, unknown>>;
  const count = nets.length + hosts.length;
  // A node added or removed: everything in view again, once the new one is measured.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `count` is what triggers it
  useEffect(() => {
    const t = setTimeout(() => void flow.current?.fitView(FIT), 50);
    return () => clearTimeout(t);
  }, [count]);
  const nodes: Node[] = [
    ...nets.map(
      (n, i): Node<NetData> => ({
        id: `net:${n.name}`,
        type: 'network',
        position: moved[`net:${n.name}`] ?? { x: i * 220, y: 0 },
        measured: measured[`net:${n.name}`],
        data: n,
      }),
    ),
    ...hosts.map(
      (h, i): Node<HostData> => ({
        id: `host:${i}`,
        type: 'host',
        position: moved[`host:${i}`] ?? { x: i * 180, y: 200 },
        measured: measured[`host:${i}`],
        data: { name: String(h?.name ?? i), sub: String(h?.runtime ?? h?.plugin ?? 'netns') },
      }),
    ),
  ];
  // A legacy single-NIC host (`network_id`) is drawn too; its NIC is edited in the form.
  const nicsOf = (h: Record<string, unknown>): Array<{ network?: unknown }> =>
    Array.isArray(h?.interfaces) ? h.interfaces : h?.network_id !== undefined ? [{ network: h.network_id }] : [];
  const edges: Edge[] = hosts.flatMap((h, hi) =>
    nicsOf(h).flatMap((nic, ni) => {
      const network = typeof nic?.network === 'string' ? nic.network : '';
      if (!nets.some((n) => n.name === network)) return [];
      const r = resolvedNic(check, hi, network);
      return [
        {
          id: `nic:${hi}:${ni}`,
          source: `host:${hi}`,
          sourceHandle: 'nic',
          target: `net:${network}`,
          targetHandle: 'nic',
          label: r ? (r.ip ?? 'dhcp') : 'auto',
          data: { host: hi, nic: ni },
          deletable: Array.isArray(h?.interfaces),
        },
      ];
    }),
  );
  const connect = (c: Connection) => {
    const hi = Number(c.source.replace(/^host:/, ''));
    const network = c.target.replace(/^net:/, '');
    if (!c.source.startsWith('host:') || !c.target.startsWith('net:')) return;
    onChange(pushIn(doc, ['vms', hi, 'interfaces'], { network }));
  };
  const removeEdges = (gone: Edge[]) => {
    // Last first, so the remaining indices stay right.
    const order = gone.map((e) => e.data as { host: number; nic: number }).sort((a, b) => b.host - a.host || b.nic - a.nic);
    onChange(order.reduce((d, x) => removeAt(d, ['vms', x.host, 'interfaces', x.nic]), doc));
  };
  const onNodesChange = (changes: NodeChange[]) => {
    // Nodes come from the document; only where they sit and their measured size are the view's.
    const pos = { ...moved };
    const size = { ...measured };
    for (const ch of changes) {
      if (ch.type === 'position' && ch.position) pos[ch.id] = ch.position;
      if (ch.type === 'dimensions' && ch.dimensions) size[ch.id] = ch.dimensions;
    }
    setMoved(pos);
    setMeasured(size);
  };
  const hostNames = hosts.map((h) => String(h?.name ?? ''));
  return (
    <div className="canvas" data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onConnect={connect}
        onEdgesDelete={removeEdges}
        onInit={(i) => {
          flow.current = i;
        }}
        fitView
        fitViewOptions={FIT}
        proOptions={{ hideAttribution: true }}
      >
        <Panel position="top-left">
          <button
            type="button"
            onClick={() =>
              onChange(
                pushIn(doc, ['networks'], {
                  name: freshName(
                    'net',
                    nets.map((n) => n.name),
                  ),
                  subnet: freshSubnet(nets.map((n) => n.subnet)),
                }),
              )
            }
          >
            + Network
          </button>{' '}
          <button type="button" onClick={() => onChange(pushIn(doc, ['vms'], { name: freshName('host', hostNames) }))}>
            + Host
          </button>{' '}
          <span className="muted">drag from a host to a network to add a NIC</span>
        </Panel>
        <Controls showInteractive={false} />
        <Background />
      </ReactFlow>
    </div>
  );
}
