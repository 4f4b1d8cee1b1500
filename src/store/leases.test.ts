import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CyrangeError, ValidationError, loadRawRange, resolveRange } from '../model/index.js';
import type { NewInterface } from './leases.js';
import { type Store, openStore } from './store.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

/** examples/firewall.yaml as instance "corp": fw on wan/lan/dmz, web .10 on dmz, ws1 dhcp on lan, ws2 .10 on lan, attacker on wan. */
function corp(): Store {
  const source = readFileSync(join(EXAMPLES, 'firewall.yaml'), 'utf8');
  const s = openStore({ path: ':memory:' });
  s.createRange({ resolved: resolveRange(loadRawRange(source)), source, kind: 'range', status: 'running' });
  store = s;
  return s;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

/** The stored JSON and the rows describe the same NICs. */
function expectInStep(s: Store): void {
  const rec = s.getRange('corp');
  const fromJson = rec?.resolved.hosts.flatMap((h) =>
    h.interfaces.map((n) => [h.name, n.network, n.ip, n.mac, n.ifname, n.peer, n.addressing, n.primary]),
  );
  const fromRows = s
    .listInterfaces('corp')
    .map((r) => [r.host, r.network, r.ip_address, r.mac, r.ifname, r.peer, r.addressing, r.is_primary]);
  expect(fromRows).toEqual(fromJson);
  const legacy = s.conn
    .prepare(`SELECT h.name, h.ip_address, n.name AS network FROM hosts h LEFT JOIN networks n ON n.id = h.network_id ORDER BY h.id`)
    .all();
  expect(legacy).toEqual(
    rec?.resolved.hosts.map((h) => {
      const p = h.interfaces.find((n) => n.primary);
      return { name: h.name, ip_address: p?.ip ?? null, network: p?.network ?? null };
    }),
  );
}

describe('addInterface', () => {
  it('leases the lowest free address and keeps the stored range in step', () => {
    const s = corp();
    expect(s.addInterface('corp', 'web', 'lan')).toMatchObject({
      network: 'lan',
      ip: '10.0.1.11',
      ifname: 'eth1',
      primary: false,
      addressing: 'auto',
    });
    expect(s.addInterface('corp', 'attacker', 'lan', '10.0.1.3')).toMatchObject({ ip: '10.0.1.3', addressing: 'static' });
    expect(s.addInterface('corp', 'ws1', 'dmz')).toMatchObject({ ip: null, addressing: 'dhcp', ifname: 'eth1' });
    expect(
      s
        .listInterfaces('corp')
        .filter((r) => r.host === 'web')
        .map((r) => [r.ip_address, r.position]),
    ).toEqual([
      ['10.0.2.10', 0],
      ['10.0.1.11', 1],
    ]);
    expectInStep(s);
  });

  it('allocates from the document: a row outside it is dropped at the next write', () => {
    const s = corp();
    // A lease that only the rows know of, as an old two-truth store could hold.
    s.conn
      .prepare(
        "INSERT INTO vm_networks (host_id, network_id, ip_address, is_primary, position, created_at) SELECT h.id, n.id, '10.0.2.11', 0, 1, '' FROM hosts h, networks n WHERE h.name = 'ws2' AND n.name = 'dmz'",
      )
      .run();
    expect(s.addInterface('corp', 'attacker', 'dmz').ip).toBe('10.0.2.11');
    expectInStep(s);
    expect(thrown(() => s.addInterface('corp', 'fw', 'lan'))).toBeInstanceOf(ValidationError);
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
  ])('refuses %s on %s (ip %s): %s: %s', (host, network, ip, path, message) => {
    const s = corp();
    const before = s.listInterfaces('corp');
    const e = thrown(() => s.addInterface('corp', host, network, ip));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).problems).toEqual([{ path, message }]);
    expect(s.listInterfaces('corp')).toEqual(before);
  });

  it.each([
    ['an unknown instance', 'nope', 'web', 'CYR_NOT_FOUND', 'no range instance "nope"'],
    ['an unknown host', 'corp', 'nobody', 'CYR_NOT_FOUND', 'no host "nobody" in "corp"'],
  ])('refuses %s', (_what, instance, host, code, message) => {
    const s = corp();
    const e = thrown(() => s.addInterface(instance, host, 'lan'));
    expect(e).toBeInstanceOf(CyrangeError);
    expect((e as CyrangeError).code).toBe(code);
    expect((e as Error).message).toContain(message);
  });

  it("takes the caller's names when given a NIC", () => {
    const s = corp();
    const nic: NewInterface = { mac: '02:aa:bb:cc:dd:ee', ifname: 'lan0', peer: 'vweblan', addressing: 'auto' };
    expect(s.addInterface('corp', 'web', 'lan', nic)).toEqual({
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
      s.addInterface('corp', 'attacker', 'dmz', { ...nic, ip: '10.0.2.99', ifname: 'eth1', peer: 'vatt', addressing: 'static' }).ip,
    ).toBe('10.0.2.99');
    expectInStep(s);
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
  ])('refuses a given NIC with %s', (_what, patch, path, message) => {
    const s = corp();
    const nic: NewInterface = { mac: '02:aa:bb:cc:dd:ee', ifname: 'lan0', peer: 'vweblan', addressing: 'auto', ...patch };
    const e = thrown(() => s.addInterface('corp', 'web', 'lan', nic));
    expect((e as ValidationError).problems).toEqual([{ path, message }]);
    expect(s.listInterfaces('corp').filter((r) => r.host === 'web')).toHaveLength(1);
  });
});

describe('removeInterface', () => {
  it('frees the lease, closes the gap in positions and keeps the stored range in step', () => {
    const s = corp();
    expect(s.removeInterface('corp', 'fw', 'lan')).toMatchObject({ network: 'lan', ip: '10.0.1.2', ifname: 'eth1' });
    expect(
      s
        .listInterfaces('corp')
        .filter((r) => r.host === 'fw')
        .map((r) => [r.network, r.position, r.is_primary]),
    ).toEqual([
      ['wan', 0, true],
      ['dmz', 1, false],
    ]);
    expectInStep(s);
    expect(s.addInterface('corp', 'attacker', 'lan', '10.0.1.2').ip).toBe('10.0.1.2');
    // The next NIC on fw takes the lowest free ifname again.
    expect(s.addInterface('corp', 'fw', 'lan').ifname).toBe('eth1');
  });

  it.each([
    ['the primary', 'web', 'dmz', 'CYR_CONFLICT', 'the primary interface of host web (network dmz) cannot be removed'],
    ['a NIC the host does not have', 'web', 'lan', 'CYR_NOT_FOUND', 'host web has no interface on network lan'],
    ['a NIC on an unknown network', 'web', 'nope', 'CYR_NOT_FOUND', 'host web has no interface on network nope'],
    ['a NIC of an unknown host', 'nobody', 'lan', 'CYR_NOT_FOUND', 'no host "nobody"'],
  ])('refuses %s', (_what, host, network, code, message) => {
    const s = corp();
    const e = thrown(() => s.removeInterface('corp', host, network));
    expect((e as CyrangeError).code).toBe(code);
    expect((e as Error).message).toContain(message);
    expect(s.listInterfaces('corp')).toHaveLength(7);
  });
});

describe('releaseHostInterfaces', () => {
  it('frees every NIC of a host, primary included; its next NIC becomes the primary', () => {
    const s = corp();
    expect(s.releaseHostInterfaces('corp', 'fw').map((n) => n.ip)).toEqual(['10.0.0.2', '10.0.1.2', '10.0.2.2']);
    expect(s.listInterfaces('corp').filter((r) => r.host === 'fw')).toEqual([]);
    expectInStep(s);
    expect(s.releaseHostInterfaces('corp', 'fw')).toEqual([]);
    expect(s.addInterface('corp', 'fw', 'dmz', '10.0.2.2')).toMatchObject({ primary: true, ifname: 'eth0' });
    expect(
      s
        .listInterfaces('corp')
        .filter((r) => r.host === 'fw')
        .map((r) => [r.network, r.position, r.is_primary]),
    ).toEqual([['dmz', 0, true]]);
    expectInStep(s);
  });
});
