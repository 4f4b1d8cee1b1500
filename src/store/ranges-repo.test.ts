import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { count, dropTestStores, raw, testStore } from '../../test/store-backend.js';
import { CyrangeError, type ResolvedRange, addInterfaceTo, loadRawRange, resolveRange, toVsockMode } from '../model/index.js';
import type { Store } from './store.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const stores: Store[] = [];
async function memStore(): Promise<Store> {
  const s = await testStore();
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
afterAll(dropTestStores);

function example(file: string, instance?: string) {
  const source = readFileSync(join(EXAMPLES, file), 'utf8');
  return { source, resolved: resolveRange(loadRawRange(source, file), instance ? { instance } : {}) };
}

async function codeOf(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    return e instanceof CyrangeError ? e.code : `not a CyrangeError: ${e}`;
  }
  return undefined;
}

describe('createRange', () => {
  it.each(readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f)))('round-trips %s with one row per interface', async (file) => {
    const store = await memStore();
    const { source, resolved } = example(file);
    const created = await store.createRange({ resolved, source, kind: 'range', status: 'planned', owner: 'alice' });
    const rec = await store.getRange(resolved.instance);
    expect(rec).toEqual(created);
    expect(rec).toMatchObject({ instance: resolved.instance, status: 'planned', kind: 'range', owner: 'alice', source, resolved });
    const want = resolved.hosts.flatMap((h) =>
      h.interfaces.map((n, i) => [h.name, n.network, n.ip, n.mac, n.ifname, n.peer, n.addressing, n.primary, i]),
    );
    expect(
      (await store.listInterfaces(resolved.instance)).map((r) => [
        r.host,
        r.network,
        r.ip_address,
        r.mac,
        r.ifname,
        r.peer,
        r.addressing,
        r.is_primary,
        r.position,
      ]),
    ).toEqual(want);
    expect(await count(store, 'networks')).toBe(resolved.networks.length);
    expect(await count(store, 'hosts')).toBe(resolved.hosts.length);
  });

  it('refuses a second instance of the same name with CYR_EXISTS, writing nothing', async () => {
    const store = await memStore();
    const { source, resolved } = example('firewall.yaml');
    await store.createRange({ resolved, source, kind: 'range', status: 'running' });
    await expect(store.createRange({ resolved, source, kind: 'range', status: 'running' })).rejects.toThrow(
      'range instance "corp" already exists',
    );
    expect(await codeOf(() => store.createRange({ resolved, source, kind: 'range', status: 'running' }))).toBe('CYR_EXISTS');
    expect(await store.listRanges()).toHaveLength(1);
    expect(await count(store, 'hosts')).toBe(resolved.hosts.length);
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
      /vm_networks\.network_id, vm_networks\.ip_address|vm_networks_network_ip/,
    ],
  ])('writes nothing for %s', async (_what, mangle, err) => {
    const store = await memStore();
    const { source, resolved } = example('firewall.yaml');
    await expect(store.createRange({ resolved: mangle(resolved), source, kind: 'range', status: 'planned' })).rejects.toThrow(err);
    for (const t of ['ranges', 'networks', 'hosts', 'vm_networks']) expect(await count(store, t)).toBe(0);
  });
});

describe('range lifecycle', () => {
  it('sets the status, and leaves unknown instances alone', async () => {
    const store = await memStore();
    const { source, resolved } = example('two-tier.yaml');
    await store.createRange({ resolved, source, kind: 'range', status: 'deploying' });
    for (const status of ['running', 'failed', 'destroying'] as const) {
      await store.setRangeStatus('two-tier', status);
      expect((await store.getRange('two-tier'))?.status).toBe(status);
    }
    await expect(store.setRangeStatus('nope', 'failed')).resolves.toBeUndefined();
    expect(await store.getRange('nope')).toBeNull();
  });

  it('replaces the blueprint text after an apply, keeping the resolved range, and leaves unknown instances alone', async () => {
    const store = await memStore();
    const { source, resolved } = example('two-tier.yaml');
    await store.createRange({ resolved, source, kind: 'range', status: 'running' });
    await store.setRangeSource('two-tier', `${source}\n# edited\n`);
    const rec = await store.getRange('two-tier');
    expect(rec?.source).toBe(`${source}\n# edited\n`);
    expect(rec?.resolved).toEqual(resolved);
    await expect(store.setRangeSource('nope', 'x')).resolves.toBeUndefined();
    expect(await store.getRange('nope')).toBeNull();
  });

  it('deleting a range cascades to networks, hosts, interfaces and its uplink slot, and only its own', async () => {
    const store = await memStore();
    const a = example('firewall.yaml');
    const b = example('firewall.yaml', 'corp2');
    const ra = await store.createRange({ ...a, kind: 'range', status: 'running' });
    const rb = await store.createRange({ ...b, kind: 'range', status: 'running' });
    expect(await store.allocateUplinkSlot(ra.id)).toBe(0);
    expect(await store.allocateUplinkSlot(ra.id)).toBe(0);
    expect(await store.allocateUplinkSlot(rb.id)).toBe(1);
    await store.deleteRange('corp');
    await store.deleteRange('corp'); // twice is fine
    expect((await store.listRanges()).map((r) => r.instance)).toEqual(['corp2']);
    expect(await count(store, 'networks')).toBe(b.resolved.networks.length);
    expect(await count(store, 'hosts')).toBe(b.resolved.hosts.length);
    expect(await count(store, 'vm_networks')).toBe((await store.listInterfaces('corp2')).length);
    expect(await store.listInterfaces('corp')).toEqual([]);
    expect(await store.uplinkSlotOf(ra.id)).toBeNull();
    await store.deleteRange('corp2');
    for (const t of ['ranges', 'networks', 'hosts', 'vm_networks', 'uplinks']) expect(await count(store, t)).toBe(0);
  });

  it('hands out the lowest free uplink slot, reusing freed ones', async () => {
    const store = await memStore();
    const ids: number[] = [];
    for (const i of ['u0', 'u1', 'u2'])
      ids.push((await store.createRange({ ...example('two-tier.yaml', i), kind: 'range', status: 'running' })).id);
    const slots: number[] = [];
    for (const id of ids) slots.push(await store.allocateUplinkSlot(id));
    expect(slots).toEqual([0, 1, 2]);
    await store.deleteRange('u1');
    const u3 = (await store.createRange({ ...example('two-tier.yaml', 'u3'), kind: 'range', status: 'running' })).id;
    expect(await store.allocateUplinkSlot(u3)).toBe(1);
    const u4 = (await store.createRange({ ...example('two-tier.yaml', 'u4'), kind: 'range', status: 'running' })).id;
    expect(await store.allocateUplinkSlot(u4)).toBe(3);
  });
});

describe('updateRange', () => {
  const vmRows = async (s: Store) =>
    (await raw(s, 'SELECT id, host_id, network_id, ip_address, is_primary, position FROM vm_networks ORDER BY id')) as Array<{
      id: number;
      ip_address: string | null;
    }>;

  it('rewrites rows to match, keeping the ids of what did not change', async () => {
    const store = await memStore();
    const { source, resolved } = example('firewall.yaml');
    await store.createRange({ resolved, source, kind: 'range', status: 'running' });
    const before = await vmRows(store);
    const hostIds = await raw(store, 'SELECT id, name FROM hosts ORDER BY id');
    // Add a NIC to web, drop ws1, move attacker to another address.
    let next = addInterfaceTo(resolved, 'web', 'lan').range;
    next = { ...next, hosts: next.hosts.filter((h) => h.name !== 'ws1') };
    next = {
      ...next,
      hosts: next.hosts.map((h) => (h.name === 'attacker' ? { ...h, interfaces: [{ ...h.interfaces[0]!, ip: '10.0.0.67' }] } : h)),
    };
    await store.updateRange('corp', () => ({ range: next, result: null }));
    expect((await store.getRange('corp'))?.resolved).toEqual(next);
    const want = next.hosts.flatMap((h) => h.interfaces.map((n) => [h.name, n.network, n.ip, n.primary]));
    expect((await store.listInterfaces('corp')).map((r) => [r.host, r.network, r.ip_address, r.is_primary])).toEqual(want);
    const after = await vmRows(store);
    const unchanged = before.filter((r) => r.ip_address !== '10.0.0.66' && r.ip_address !== null);
    for (const r of unchanged) expect(after).toContainEqual(r);
    expect(await raw(store, 'SELECT id, name FROM hosts ORDER BY id')).toEqual(
      (hostIds as Array<{ name: string }>).filter((h) => h.name !== 'ws1'),
    );
  });

  it('moves a primary between networks without tripping the one-primary index', async () => {
    const store = await memStore();
    const { source, resolved } = example('firewall.yaml');
    await store.createRange({ resolved, source, kind: 'range', status: 'running' });
    const swapped = {
      ...resolved,
      hosts: resolved.hosts.map((h) =>
        h.name === 'fw' ? { ...h, interfaces: [...h.interfaces].reverse().map((n, i) => ({ ...n, primary: i === 0 })) } : h,
      ),
    };
    await store.updateRange('corp', () => ({ range: swapped, result: null }));
    expect((await store.listInterfaces('corp')).filter((r) => r.host === 'fw').map((r) => [r.network, r.is_primary, r.position])).toEqual([
      ['dmz', true, 0],
      ['lan', false, 1],
      ['wan', false, 2],
    ]);
    expect((await raw(store, "SELECT n.name FROM hosts h JOIN networks n ON n.id = h.network_id WHERE h.name = 'fw'"))[0]).toEqual({
      name: 'dmz',
    });
  });

  it('follows a host into vsock mode: no NIC rows, legacy columns cleared, no NIC accepted', async () => {
    const store = await memStore();
    const { source, resolved } = example('firewall.yaml');
    await store.createRange({ resolved, source, kind: 'range', status: 'running' });
    const released = await store.updateRange('corp', (r) => {
      const out = toVsockMode(r, 'fw');
      return { range: out.range, result: out.released };
    });
    expect(released.map((n) => n.ip)).toEqual(['10.0.0.2', '10.0.1.2', '10.0.2.2']);
    expect((await store.listInterfaces('corp')).filter((r) => r.host === 'fw')).toEqual([]);
    expect((await raw(store, "SELECT mode, network_id, ip_address FROM hosts WHERE name = 'fw'"))[0]).toEqual({
      mode: 'vsock',
      network_id: null,
      ip_address: null,
    });
    await expect(store.addInterface('corp', 'fw', 'lan')).rejects.toThrow(/vsock mode/);
    // Its old addresses are free again.
    expect((await store.addInterface('corp', 'attacker', 'lan', '10.0.1.2')).ip).toBe('10.0.1.2');
  });

  it('rolls back the whole change when it throws', async () => {
    const store = await memStore();
    const { source, resolved } = example('firewall.yaml');
    await store.createRange({ resolved, source, kind: 'range', status: 'running' });
    const before = await store.listInterfaces('corp');
    await expect(
      store.updateRange('corp', (r) => ({
        range: {
          ...r,
          hosts: r.hosts.map((h) => (h.name === 'web' ? { ...h, interfaces: [{ ...h.interfaces[0]!, network: 'nope' }] } : h)),
        },
        result: null,
      })),
    ).rejects.toThrow(/unknown network "nope"/);
    expect(await store.listInterfaces('corp')).toEqual(before);
    expect((await store.getRange('corp'))?.resolved).toEqual(resolved);
  });

  it('is refused for an unknown instance with CYR_NOT_FOUND', async () => {
    const store = await memStore();
    const { resolved } = example('two-tier.yaml');
    expect(await codeOf(() => store.updateRange('two-tier', () => ({ range: resolved, result: null })))).toBe('CYR_NOT_FOUND');
  });
});
