import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRawRange } from './blueprint.js';
import { GRAPH_FORMATS, type GraphFormat, renderGraph, topologyOf } from './graph.js';
import { resolveRange } from './resolve.js';
import type { ResolvedRange } from './types.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const GOLDEN = resolve(import.meta.dirname, 'testdata/graph');
const example = (file: string) => resolveRange(loadRawRange(readFileSync(join(EXAMPLES, file), 'utf8')));

/** A range with what the examples lack: a vsock host, a hidden host, NAT egress, a hyphenated name. */
const lab = resolveRange(
  loadRawRange(`name: lab-1
networks:
  - { name: wan, subnet: 10.20.0.0/24, egress: nat }
  - { name: lan-a, subnet: 10.20.1.0/24, dhcp: true }
vms:
  - { name: edge-fw, ip_forward: true, interfaces: [{ network: wan, ip: 10.20.0.2 }, { network: lan-a, ip: 10.20.1.2 }] }
  - { name: ws, network: { mode: dhcp }, interfaces: [{ network: lan-a }] }
  - { name: probe, network: { mode: vsock } }
  - { name: grader, hidden: true, interfaces: [{ network: lan-a }] }
`),
  { instance: 'lab-1-b' },
);

const EXT: Record<GraphFormat, string> = { mermaid: 'mmd', dot: 'dot', json: 'json' };
const RANGES: Array<[string, ResolvedRange]> = [
  ['firewall', example('firewall.yaml')],
  ['two-tier', example('two-tier.yaml')],
  ['lab', lab],
];

describe('renderGraph (golden files)', () => {
  it.each(RANGES.flatMap(([name, range]) => GRAPH_FORMATS.map((f) => [name, f, range] as const)))(
    '%s as %s',
    async (name, format, range) => {
      await expect(renderGraph(range, format)).toMatchFileSnapshot(join(GOLDEN, `${name}.${EXT[format]}`));
    },
  );
});

describe('topologyOf', () => {
  it('has every network and host as a node and one edge per NIC, plus the routes', () => {
    for (const [, range] of RANGES) {
      const g = topologyOf(range);
      expect(g.nodes.filter((n) => n.kind === 'network')).toHaveLength(range.networks.length);
      expect(g.nodes.filter((n) => n.kind === 'host')).toHaveLength(range.hosts.length);
      const nics = g.edges.filter((e) => e.kind === 'nic');
      expect(nics).toHaveLength(range.hosts.reduce((s, h) => s + h.interfaces.length, 0));
      expect(g.edges.filter((e) => e.kind === 'route')).toHaveLength(range.routes.length);
      const ids = new Set(g.nodes.map((n) => n.id));
      for (const e of g.edges) expect(ids.has(e.source) && ids.has(e.target)).toBe(true);
    }
  });

  it('labels a DHCP NIC as dhcp and keeps a vsock host without edges', () => {
    const text = renderGraph(lab, 'mermaid');
    expect(text).toContain('h_ws ---|"eth0 dhcp"| n_lan_a');
    expect(text).toMatch(/h_probe\["probe<br\/>netns, vsock"\]/);
    expect(text).not.toMatch(/h_probe ---/);
  });

  it('JSON is the topology itself', () => {
    expect(JSON.parse(renderGraph(lab, 'json'))).toEqual(JSON.parse(JSON.stringify(topologyOf(lab))));
  });
});
