import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CyrangeError, type ResolvedRange, addInterfaceTo, loadRawRange, resolveRange, toVsockMode } from '../model/index.js';
import { type Store, openStore } from './store.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const stores: Store[] = [];
function memStore(): Store {
  const s = openStore({ path: ':memory:' });
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function example(file: string, instance?: string) {
  const source = readFileSync(join(EXAMPLES, file), 'utf8');
  return { source, resolved: resolveRange(loadRawRange(source, file), instance ? { instance } : {}) };
}

const count = (s: Store, table: string) => (s.conn.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof CyrangeError ? e.code : `not a CyrangeError: ${e}`;
  }
  return undefined;
}

describe('createRange', () => {
  it.each(readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f)))('round-trips %s with one row per interface', (file) => {
    const store = memStore();
    const { source, resolved } = example(file);
    const created = store.createRange({ resolved, source, kind: 'range', status: 'planned', owner: 'alice' });
    const rec = store.getRange(resolved.instance);
    expect(rec).toEqual(created);
    expect(rec).toMatchObject({ instance: resolved.instance, status: 'planned', kind: 'range', owner: 'alice', source, resolved });
    const want = resolved.hosts.flatMap((h) =>
      h.interfaces.map((n, i) => [h.name, n.network, n.ip, n.mac, n.ifname, n.peer, n.addressing, n.primary, i]),
    );
    expect(
      store
        .listInterfaces(resolved.instance)
        .map((r) => [r.host, r.network, r.ip_address, r.mac, r.ifname, r.peer, r.addressing, r.is_primary, r.position]),
    ).toEqual(want);
    expect(count(store, 'networks')).toBe(resolved.networks.length);
    expect(count(store, 'hosts')).toBe(resolved.hosts.length);
  });

  it('refuses a second instance of the same name with CYR_EXISTS, writing nothing', () => {
    const store = memStore();
    const { source, resolved } = example('firewall.yaml');
    store.createRange({ resolved, source, kind: 'range', status: 'running' });
    expect(() => store.createRange({ resolved, source, kind: 'range', status: 'running' })).toThrow('range instance "corp" already exists');
    expect(codeOf(() => store.createRange({ resolved, source, kind: 'range', status: 'running' }))).toBe('CYR_EXISTS');
    expect(store.listRanges()).toHaveLength(1);
    expect(count(store, 'hosts')).toBe(resolved.hosts.length);
  });

  it.each<[string, (r: ResolvedRange) => ResolvedRange, RegExp]>([
    [
      'a host with two primaries',
      (r) => ({ ...r, hosts: r.hosts.map((h) => ({ ...h, interfaces: h.interfaces.map((n) => ({ ...n, primary: true })) })) }),
      /host "fw" must have exactly one primary interface, not 3/,
    ],
    [
      'a host without a primary',
      (r) => ({ ...r, hosts: r.hosts.map((h) => ({ ...h, interfaces: h.interfaces.map((n) => ({ ...n, primary: false })) })) }),
      /exactly one primary interface, not 0/,
    ],
    [
      'two NICs with one address',
      (r) => ({
        ...r,
        hosts: r.hosts.map((h) => (h.name === 'attacker' ? { ...h, interfaces: h.interfaces.map((n) => ({ ...n, ip: '10.0.0.2' })) } : h)),
      }),
      /UNIQUE constraint failed: vm_networks.network_id, vm_networks.ip_address/,
    ],
  ])('writes nothing for %s', (_what, mangle, err) => {
    const store = memStore();
    const { source, resolved } = example('firewall.yaml');
    expect(() => store.createRange({ resolved: mangle(resolved), source, kind: 'range', status: 'planned' })).toThrow(err);
    for (const t of ['ranges', 'networks', 'hosts', 'vm_networks']) expect(count(store, t)).toBe(0);
  });
});

describe('range lifecycle', () => {
  it('sets the status, and leaves unknown instances alone', () => {
    const store = memStore();
    const { source, resolved } = example('two-tier.yaml');
    store.createRange({ resolved, source, kind: 'range', status: 'deploying' });
    for (const status of ['running', 'failed', 'destroying'] as const) {
      store.setRangeStatus('two-tier', status);
      expect(store.getRange('two-tier')?.status).toBe(status);
    }
    expect(() => store.setRangeStatus('nope', 'failed')).not.toThrow();
    expect(store.getRange('nope')).toBeNull();
  });

  it('deleting a range cascades to networks, hosts, interfaces and its uplink slot, and only its own', () => {
    const store = memStore();
    const a = example('firewall.yaml');
    const b = example('firewall.yaml', 'corp2');
    const ra = store.createRange({ ...a, kind: 'range', status: 'running' });
    const rb = store.createRange({ ...b, kind: 'range', status: 'running' });
    expect(store.allocateUplinkSlot(ra.id)).toBe(0);
    expect(store.allocateUplinkSlot(ra.id)).toBe(0);
    expect(store.allocateUplinkSlot(rb.id)).toBe(1);
    store.deleteRange('corp');
    store.deleteRange('corp'); // twice is fine
    expect(store.listRanges().map((r) => r.instance)).toEqual(['corp2']);
    expect(count(store, 'networks')).toBe(b.resolved.networks.length);
    expect(count(store, 'hosts')).toBe(b.resolved.hosts.length);
    expect(count(store, 'vm_networks')).toBe(store.listInterfaces('corp2').length);
    expect(store.listInterfaces('corp')).toEqual([]);
    expect(store.uplinkSlotOf(ra.id)).toBeNull();
    store.deleteRange('corp2');
    for (const t of ['ranges', 'networks', 'hosts', 'vm_networks', 'uplinks']) expect(count(store, t)).toBe(0);
  });

  it('hands out the lowest free uplink slot, reusing freed ones', () => {
    const store = memStore();
    const ids = ['u0', 'u1', 'u2'].map((i) => store.createRange({ ...example('two-tier.yaml', i), kind: 'range', status: 'running' }).id);
    expect(ids.map((id) => store.allocateUplinkSlot(id))).toEqual([0, 1, 2]);
    store.deleteRange('u1');
    const u3 = store.createRange({ ...example('two-tier.yaml', 'u3'), kind: 'range', status: 'running' }).id;
    expect(store.allocateUplinkSlot(u3)).toBe(1);
    const u4 = store.createRange({ ...example('two-tier.yaml', 'u4'), kind: 'range', status: 'running' }).id;
    expect(store.allocateUplinkSlot(u4)).toBe(3);
  });
});

describe('updateRange', () => {
  const vmRows = (s: Store) =>
    s.conn.prepare('SELECT id, host_id, network_id, ip_address, is_primary, position FROM vm_networks ORDER BY id').all() as Array<{
      id: number;
      ip_address: string | null;
    }>;

  it('rewrites rows to match, keeping the ids of what did not change', () => {
    const store = memStore();
    const { source, resolved } = example('firewall.yaml');
    store.createRange({ resolved, source, kind: 'range', status: 'running' });
    const before = vmRows(store);
    const hostIds = store.conn.prepare('SELECT id, name FROM hosts ORDER BY id').all();
    // Add a NIC to web, drop ws1, move attacker to another address.
    let next = addInterfaceTo(resolved, 'web', 'lan').range;
    next = { ...next, hosts: next.hosts.filter((h) => h.name !== 'ws1') };
    next = {
      ...next,
      hosts: next.hosts.map((h) => (h.name === 'attacker' ? { ...h, interfaces: [{ ...h.interfaces[0]!, ip: '10.0.0.67' }] } : h)),
    };
    store.updateRange('corp', () => ({ range: next, result: null }));
    expect(store.getRange('corp')?.resolved).toEqual(next);
    const want = next.hosts.flatMap((h) => h.interfaces.map((n) => [h.name, n.network, n.ip, n.primary]));
    expect(store.listInterfaces('corp').map((r) => [r.host, r.network, r.ip_address, r.is_primary])).toEqual(want);
    const after = vmRows(store);
    const unchanged = before.filter((r) => r.ip_address !== '10.0.0.66' && r.ip_address !== null);
    for (const r of unchanged) expect(after).toContainEqual(r);
    expect(store.conn.prepare('SELECT id, name FROM hosts ORDER BY id').all()).toEqual(
      (hostIds as Array<{ name: string }>).filter((h) => h.name !== 'ws1'),
    );
  });

  it('moves a primary between networks without tripping the one-primary index', () => {
    const store = memStore();
    const { source, resolved } = example('firewall.yaml');
    store.createRange({ resolved, source, kind: 'range', status: 'running' });
    const swapped = {
      ...resolved,
      hosts: resolved.hosts.map((h) =>
        h.name === 'fw' ? { ...h, interfaces: [...h.interfaces].reverse().map((n, i) => ({ ...n, primary: i === 0 })) } : h,
      ),
    };
    store.updateRange('corp', () => ({ range: swapped, result: null }));
    expect(
      store
        .listInterfaces('corp')
        .filter((r) => r.host === 'fw')
        .map((r) => [r.network, r.is_primary, r.position]),
    ).toEqual([
      ['dmz', true, 0],
      ['lan', false, 1],
      ['wan', false, 2],
    ]);
    expect(store.conn.prepare("SELECT n.name FROM hosts h JOIN networks n ON n.id = h.network_id WHERE h.name = 'fw'").get()).toEqual({
      name: 'dmz',
    });
  });

  it('follows a host into vsock mode: no NIC rows, legacy columns cleared, no NIC accepted', () => {
    const store = memStore();
    const { source, resolved } = example('firewall.yaml');
    store.createRange({ resolved, source, kind: 'range', status: 'running' });
    const released = store.updateRange('corp', (r) => {
      const out = toVsockMode(r, 'fw');
      return { range: out.range, result: out.released };
    });
    expect(released.map((n) => n.ip)).toEqual(['10.0.0.2', '10.0.1.2', '10.0.2.2']);
    expect(store.listInterfaces('corp').filter((r) => r.host === 'fw')).toEqual([]);
    expect(store.conn.prepare("SELECT mode, network_id, ip_address FROM hosts WHERE name = 'fw'").get()).toEqual({
      mode: 'vsock',
      network_id: null,
      ip_address: null,
    });
    expect(() => store.addInterface('corp', 'fw', 'lan')).toThrow(/vsock mode/);
    // Its old addresses are free again.
    expect(store.addInterface('corp', 'attacker', 'lan', '10.0.1.2').ip).toBe('10.0.1.2');
  });

  it('rolls back the whole change when it throws', () => {
    const store = memStore();
    const { source, resolved } = example('firewall.yaml');
    store.createRange({ resolved, source, kind: 'range', status: 'running' });
    const before = store.listInterfaces('corp');
    expect(() =>
      store.updateRange('corp', (r) => ({
        range: {
          ...r,
          hosts: r.hosts.map((h) => (h.name === 'web' ? { ...h, interfaces: [{ ...h.interfaces[0]!, network: 'nope' }] } : h)),
        },
        result: null,
      })),
    ).toThrow(/unknown network "nope"/);
    expect(store.listInterfaces('corp')).toEqual(before);
    expect(store.getRange('corp')?.resolved).toEqual(resolved);
  });

  it('is refused for an unknown instance with CYR_NOT_FOUND', () => {
    const store = memStore();
    const { resolved } = example('two-tier.yaml');
    expect(codeOf(() => store.updateRange('two-tier', () => ({ range: resolved, result: null })))).toBe('CYR_NOT_FOUND');
  });
});
