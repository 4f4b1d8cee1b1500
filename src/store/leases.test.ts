import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dropTestStores, raw, rejection, testStore } from '../../test/store-backend.js';
import { CyrangeError, ValidationError, loadRawRange, resolveRange } from '../model/index.js';
import type { NewInterface } from './leases.js';
import type { Store } from './store.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});
afterAll(dropTestStores);

/** examples/firewall.yaml as instance "corp": fw on wan/lan/dmz, web .10 on dmz, ws1 dhcp on lan, ws2 .10 on lan, attacker on wan. */
async function corp(): Promise<Store> {
  const source = readFileSync(join(EXAMPLES, 'firewall.yaml'), 'utf8');
  const s = await testStore();
  await s.createRange({ resolved: resolveRange(loadRawRange(source)), source, kind: 'range', status: 'running' });
  store = s;
  return s;
}

/** The stored JSON and the rows describe the same NICs. */
async function expectInStep(s: Store): Promise<void> {
  const rec = await s.getRange('corp');
  const fromJson = rec?.resolved.hosts.flatMap((h) =>
    h.interfaces.map((n) => [h.name, n.network, n.ip, n.mac, n.ifname, n.peer, n.addressing, n.primary]),
  );
  const fromRows = (await s.listInterfaces('corp')).map((r) => [
    r.host,
    r.network,
    r.ip_address,
    r.mac,
    r.ifname,
    r.peer,
    r.addressing,
    r.is_primary,
  ]);
  expect(fromRows).toEqual(fromJson);
  const legacy = await raw(
    s,
    'SELECT h.name, h.ip_address, n.name AS network FROM hosts h LEFT JOIN networks n ON n.id = h.network_id ORDER BY h.id',
  );
  expect(legacy).toEqual(
    rec?.resolved.hosts.map((h) => {
      const p = h.interfaces.find((n) => n.primary);
      return { name: h.name, ip_address: p?.ip ?? null, network: p?.network ?? null };
    }),
  );
}

describe('addInterface', () => {
  it('leases the lowest free address and keeps the stored range in step', async () => {
    const s = await corp();
    expect(await s.addInterface('corp', 'web', 'lan')).toMatchObject({
      network: 'lan',
      ip: '10.0.1.11',
      ifname: 'eth1',
      primary: false,
      addressing: 'auto',
    });
    expect(await s.addInterface('corp', 'attacker', 'lan', '10.0.1.3')).toMatchObject({ ip: '10.0.1.3', addressing: 'static' });
    expect(await s.addInterface('corp', 'ws1', 'dmz')).toMatchObject({ ip: null, addressing: 'dhcp', ifname: 'eth1' });
    expect((await s.listInterfaces('corp')).filter((r) => r.host === 'web').map((r) => [r.ip_address, r.position])).toEqual([
      ['10.0.2.10', 0],
      ['10.0.1.11', 1],
    ]);
    await expectInStep(s);
  });

  it('allocates from the document: a row outside it is dropped at the next write', async () => {
    const s = await corp();
    // A lease that only the rows know of, as an old two-truth store could hold.
    await raw(
      s,
      "INSERT INTO vm_networks (host_id, network_id, ip_address, is_primary, position, created_at) SELECT h.id, n.id, '10.0.2.11', 0, 1, '' FROM hosts h, networks n WHERE h.name = 'ws2' AND n.name = 'dmz'",
    );
    expect((await s.addInterface('corp', 'attacker', 'dmz')).ip).toBe('10.0.2.11');
    await expectInStep(s);
    expect(await rejection(() => s.addInterface('corp', 'fw', 'lan'))).toBeInstanceOf(ValidationError);
  });

  it.each([
    ['web', 'dmz', undefined, 'network', 'network dmz is already on host web'],
    ['ws2', 'nope', undefined, 'network', 'unknown network "nope" (defined: wan, lan, dmz)'],
    ['ws2', 'dmz', '10.0.2.10', 'ip', '10.0.2.10 is already used in network dmz (10.0.2.0/24)'],
    ['ws2', 'dmz', '10.0.3.1', 'ip', '10.0.3.1 is not in network dmz (10.0.2.0/24)'],
    ['ws2', 'dmz', '10.0.2.0', 'ip', '10.0.2.0 is the network address of network dmz (10.0.2.0/24)'],
    ['ws2', 'dmz', '10.0.2.255', 'ip', '10.0.2.255 is the broadcast address of network dmz (10.0.2.0/24)'],
    ['ws2', 'dmz', '10.0.2.1', 'ip', '10.0.2.1 is the gateway of network dmz (10.0.2.0/24)'],
    ['attacker', 'lan', '10.0.1.130', 'ip', '10.0.1.130 is inside the DHCP pool of network lan (10.0.1.0/24)'],
    ['ws2', 'dmz', 'ten', 'ip', '"ten" is not an IPv4 address'],
    ['ws1', 'dmz', '10.0.2.50', 'ip', 'a static IP (10.0.2.50) is not allowed in dhcp mode'],
  ])('refuses %s on %s (ip %s): %s: %s', async (host, network, ip, path, message) => {
    const s = await corp();
    const before = await s.listInterfaces('corp');
    const e = await rejection(() => s.addInterface('corp', host, network, ip));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).problems).toEqual([{ path, message }]);
    expect(await s.listInterfaces('corp')).toEqual(before);
  });

  it.each([
    ['an unknown instance', 'nope', 'web', 'CYR_NOT_FOUND', 'no range instance "nope"'],
    ['an unknown host', 'corp', 'nobody', 'CYR_NOT_FOUND', 'no host "nobody" in "corp"'],
  ])('refuses %s', async (_what, instance, host, code, message) => {
    const s = await corp();
    const e = await rejection(() => s.addInterface(instance, host, 'lan'));
    expect(e).toBeInstanceOf(CyrangeError);
    expect((e as CyrangeError).code).toBe(code);
    expect((e as Error).message).toContain(message);
  });

  it("takes the caller's names when given a NIC", async () => {
    const s = await corp();
    const nic: NewInterface = { mac: '02:aa:bb:cc:dd:ee', ifname: 'lan0', peer: 'vweblan', addressing: 'auto' };
    expect(await s.addInterface('corp', 'web', 'lan', nic)).toEqual({
      network: 'lan',
      ip: '10.0.1.11',
      prefix: 24,
      gateway: '10.0.1.1',
      addressing: 'auto',
      mac: '02:aa:bb:cc:dd:ee',
      primary: false,
      ifname: 'lan0',
      peer: 'vweblan',
      rateLimit: null,
    });
    expect(
      (await s.addInterface('corp', 'attacker', 'dmz', { ...nic, ip: '10.0.2.99', ifname: 'eth1', peer: 'vatt', addressing: 'static' })).ip,
    ).toBe('10.0.2.99');
    await expectInStep(s);
  });

  it.each<[string, Partial<NewInterface>, string, string]>([
    ['a bad MAC', { mac: '02:AA:BB:CC:DD:EE' }, 'mac', '"02:AA:BB:CC:DD:EE" must be a lower-case MAC like 02:00:00:00:00:01'],
    ['a long ifname', { ifname: 'sixteen-chars-xx' }, 'ifname', '"sixteen-chars-xx" must be 1..15 characters'],
    ['an ifname the host uses', { ifname: 'eth0' }, 'ifname', 'eth0 is already used on host web'],
    ['a peer the range uses', { peer: 'v40c601a4f5c6' }, 'peer', 'v40c601a4f5c6 is already used in range corp'],
    [
      'dhcp addressing on a bridged host',
      { addressing: 'dhcp' },
      'addressing',
      'dhcp does not fit host web in bridged mode (expected auto)',
    ],
  ])('refuses a given NIC with %s', async (_what, patch, path, message) => {
    const s = await corp();
    const nic: NewInterface = { mac: '02:aa:bb:cc:dd:ee', ifname: 'lan0', peer: 'vweblan', addressing: 'auto', ...patch };
    const e = await rejection(() => s.addInterface('corp', 'web', 'lan', nic));
    expect((e as ValidationError).problems).toEqual([{ path, message }]);
    expect((await s.listInterfaces('corp')).filter((r) => r.host === 'web')).toHaveLength(1);
  });
});

describe('removeInterface', () => {
  it('frees the lease, closes the gap in positions and keeps the stored range in step', async () => {
    const s = await corp();
    expect(await s.removeInterface('corp', 'fw', 'lan')).toMatchObject({ network: 'lan', ip: '10.0.1.2', ifname: 'eth1' });
    expect((await s.listInterfaces('corp')).filter((r) => r.host === 'fw').map((r) => [r.network, r.position, r.is_primary])).toEqual([
      ['wan', 0, true],
      ['dmz', 1, false],
    ]);
    await expectInStep(s);
    expect((await s.addInterface('corp', 'attacker', 'lan', '10.0.1.2')).ip).toBe('10.0.1.2');
    // The next NIC on fw takes the lowest free ifname again.
    expect((await s.addInterface('corp', 'fw', 'lan')).ifname).toBe('eth1');
  });

  it.each([
    ['the primary', 'web', 'dmz', 'CYR_CONFLICT', 'the primary interface of host web (network dmz) cannot be removed'],
    ['a NIC the host does not have', 'web', 'lan', 'CYR_NOT_FOUND', 'host web has no interface on network lan'],
    ['a NIC on an unknown network', 'web', 'nope', 'CYR_NOT_FOUND', 'host web has no interface on network nope'],
    ['a NIC of an unknown host', 'nobody', 'lan', 'CYR_NOT_FOUND', 'no host "nobody"'],
  ])('refuses %s', async (_what, host, network, code, message) => {
    const s = await corp();
    const e = await rejection(() => s.removeInterface('corp', host, network));
    expect((e as CyrangeError).code).toBe(code);
    expect((e as Error).message).toContain(message);
    expect(await s.listInterfaces('corp')).toHaveLength(7);
  });
});

describe('releaseHostInterfaces', () => {
  it('frees every NIC of a host, primary included; its next NIC becomes the primary', async () => {
    const s = await corp();
    expect((await s.releaseHostInterfaces('corp', 'fw')).map((n) => n.ip)).toEqual(['10.0.0.2', '10.0.1.2', '10.0.2.2']);
    expect((await s.listInterfaces('corp')).filter((r) => r.host === 'fw')).toEqual([]);
    await expectInStep(s);
    expect(await s.releaseHostInterfaces('corp', 'fw')).toEqual([]);
    expect(await s.addInterface('corp', 'fw', 'dmz', '10.0.2.2')).toMatchObject({ primary: true, ifname: 'eth0' });
    expect((await s.listInterfaces('corp')).filter((r) => r.host === 'fw').map((r) => [r.network, r.position, r.is_primary])).toEqual([
      ['dmz', 0, true],
    ]);
    await expectInStep(s);
  });
});
