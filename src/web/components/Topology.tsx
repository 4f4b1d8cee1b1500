import { Background, type Edge, type Node, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import type { RangeView } from '../api.js';

const STATE_COLOR: Record<string, string> = { running: '#2e7d32', stopped: '#b26a00', missing: '#c62828' };

/** Networks on top, hosts below, one edge per NIC labelled with its address; host color shows live state. */
export function Topology({ range }: { range: RangeView }) {
  const nets = range.networks;
  const hosts = range.hosts ?? [];
  const nodes: Node[] = [
    ...nets.map((n, i) => ({
      id: `net:${n.name}`,
      position: { x: i * 260, y: 0 },
      data: { label: `${n.name}\n${n.subnet}` },
      style: { background: '#e3f2fd', border: '1px solid #1565c0', width: 200, whiteSpace: 'pre-line' as const },
    })),
    ...hosts.map((h, i) => ({
      id: `host:${h.name}`,
      position: { x: i * 180, y: 220 + (i % 2) * 100 },
      data: { label: `${h.name}\n${h.runtime} · ${h.state ?? '?'}` },
      style: {
        background: '#fff',
        border: `2px solid ${STATE_COLOR[h.state ?? ''] ?? '#999'}`,
        width: 150,
        whiteSpace: 'pre-line' as const,
      },
    })),
  ];
  const edges: Edge[] = hosts.flatMap((h) =>
    h.networks.map((n) => ({
      id: `${h.name}:${n.network_id}`,
      // Networks sit above hosts: from a network's bottom handle to a host's top handle.
      source: `net:${n.network_id}`,
      target: `host:${h.name}`,
      label: n.ip_address ?? 'dhcp',
      animated: h.state === 'running',
    })),
  );
  return (
    <div className="topology" data-testid="topology">
      <ReactFlow nodes={nodes} edges={edges} fitView proOptions={{ hideAttribution: true }} nodesDraggable>
        <Background />
      </ReactFlow>
    </div>
  );
}
