import { describe, expect, it } from 'vitest';
import {
  IFNAME_MAX,
  bridgeIfname,
  hostNetns,
  linkAlias,
  gatewayMac,
  macFor,
  parseLinkAlias,
  parseNetnsName,
  peerIfname,
  rangeNetns,
} from './naming.js';

describe('naming', () => {
  it('keeps interface names within 15 characters, also for long names', () => {
    const long = 'n'.repeat(24);
    expect(bridgeIfname(long).length).toBeLessThanOrEqual(IFNAME_MAX);
    expect(peerIfname('h'.repeat(32), long).length).toBeLessThanOrEqual(IFNAME_MAX);
    expect(bridgeIfname('lan')).toBe('br-lan');
  });

  it('is deterministic and unique per range for many hosts', () => {
    const names = new Set<string>();
    for (let h = 0; h < 1000; h++) for (const n of ['lan', 'dmz', 'wan']) names.add(peerIfname(`host${h}`, n));
    expect(names.size).toBe(3000);
    expect(peerIfname('web', 'dmz')).toBe(peerIfname('web', 'dmz'));
  });

  it('derives locally administered unicast MACs from (instance, host, network)', () => {
    const m = macFor('corp', 'web', 'dmz');
    expect(m).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(macFor('corp', 'web', 'dmz')).toBe(m);
    expect(macFor('corp2', 'web', 'dmz')).not.toBe(m);
    expect(macFor('corp', 'web', 'lan')).not.toBe(m);
    const first = Number.parseInt(m.slice(0, 2), 16);
    expect(first & 0b10).toBe(0b10);
    expect(first & 0b1).toBe(0);
  });

  it('gives each network bridge a fixed MAC of its own, per instance', () => {
    const g = gatewayMac('corp', 'dmz');
    expect(g).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(gatewayMac('corp', 'dmz')).toBe(g);
    expect(gatewayMac('corp2', 'dmz')).not.toBe(g);
    expect(gatewayMac('corp', 'lan')).not.toBe(g);
    expect(macFor('corp', 'web', 'dmz')).not.toBe(g);
  });

  it('ownership tags round-trip', () => {
    expect(parseLinkAlias(linkAlias('corp', 'web', 'dmz'))).toEqual({ instance: 'corp', host: 'web', network: 'dmz' });
    expect(parseLinkAlias('something else')).toBeNull();
    expect(parseNetnsName(rangeNetns('corp'))).toEqual({ instance: 'corp', host: null });
    expect(parseNetnsName(hostNetns('corp', 'web-1'))).toEqual({ instance: 'corp', host: 'web-1' });
    expect(parseNetnsName('docker-ns')).toBeNull();
  });
});

describe('naming: interface names', () => {
  const IFNAME = /^[a-z0-9-]{1,15}$/;

  it.each([
    ['short names', 'web', 'lan'],
    ['a 24-character network', 'web', 'n'.repeat(24)],
    ['a 32-character host', 'h'.repeat(32), 'lan'],
    ['both at their longest', `${'h'.repeat(31)}1`, `${'n'.repeat(23)}2`],
  ])('stays a valid name of at most 15 characters for %s', (_name, hostName, network) => {
    for (const n of [bridgeIfname(network), peerIfname(hostName, network)]) {
      expect(n).toMatch(IFNAME);
      expect(n.length).toBeLessThanOrEqual(IFNAME_MAX);
    }
  });

  it.each([
    ['lan', 'br-lan'],
    ['dmz-2', 'br-dmz-2'],
    ['twelve-chars', 'br-twelve-chars'],
    ['thirteen-char', 'br-35d4ae97d570'],
  ])('bridge of network %s is %s', (network, want) => {
    expect(bridgeIfname(network)).toBe(want);
  });

  it('is stable across calls and releases (golden values)', () => {
    // Deployed objects are found again by these names: a change here orphans running ranges.
    expect(peerIfname('web', 'dmz')).toBe('v40c601a4f5c6');
    expect(bridgeIfname('a'.repeat(24))).toBe('br-ded520e78cbc');
    expect(macFor('corp', 'web', 'dmz')).toBe('02:7b:a1:8f:fd:4d');
    expect(Array.from({ length: 3 }, () => peerIfname('web', 'dmz'))).toEqual(Array(3).fill('v40c601a4f5c6'));
  });

  it('gives distinct bridges to long networks sharing a long prefix', () => {
    const names = Array.from({ length: 200 }, (_, i) => bridgeIfname(`${'shared-prefix-'.padEnd(20, 'x')}${i}`));
    expect(new Set(names).size).toBe(200);
  });

  it('keeps every peer name and MAC unique in a range of 2000 hosts on 4 networks', () => {
    const peers = new Set<string>();
    const macs = new Set<string>();
    for (let h = 0; h < 2000; h++)
      for (const n of ['wan', 'lan', 'dmz', 'a-network-with-a-long-name']) {
        peers.add(peerIfname(`host-${h}`, n));
        macs.add(macFor('corp', `host-${h}`, n));
      }
    expect(peers.size).toBe(8000);
    expect(macs.size).toBe(8000);
  });
});

describe('naming: MACs', () => {
  type Nic = [instance: string, host: string, network: string];
  it.each<[string, Nic, Nic]>([
    ['instance', ['a', 'web', 'lan'], ['b', 'web', 'lan']],
    ['host', ['a', 'web', 'lan'], ['a', 'db', 'lan']],
    ['network', ['a', 'web', 'lan'], ['a', 'web', 'dmz']],
    ['how the parts are split', ['ab', 'c', 'd'], ['a', 'bc', 'd']],
  ])('differ when the %s differs', (_what, x, y) => {
    expect(macFor(...x)).not.toBe(macFor(...y));
  });

  it('are locally administered unicast (first octet 0x02) for every NIC', () => {
    for (let i = 0; i < 500; i++) {
      const m = macFor(`r${i}`, `h${i % 7}`, `n${i % 3}`);
      expect(m).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    }
  });
});

describe('naming: ownership tags round-trip', () => {
  it.each([
    ['corp', 'web', 'dmz'],
    ['a', 'b', 'c'],
    ['range-with-24-characters', `${'h'.repeat(32)}`, 'n'.repeat(24)],
  ])('link alias of %s/%s/%s', (instance, hostName, network) => {
    expect(parseLinkAlias(linkAlias(instance, hostName, network))).toEqual({ instance, host: hostName, network });
  });

  it.each([[undefined], [''], ['eth0'], ['cyrange:'], ['cyrange:corp'], ['cyrange:corp:web'], ['docker:corp:web:lan']])(
    'a foreign alias %j is not ours',
    (alias) => {
      expect(parseLinkAlias(alias)).toBeNull();
    },
  );

  it.each([
    ['corp', null],
    ['corp', 'web'],
    ['range-with-24-characters', 'h'.repeat(32)],
  ])('namespace of %s/%s', (instance, hostName) => {
    const name = hostName === null ? rangeNetns(instance) : hostNetns(instance, hostName);
    expect(parseNetnsName(name)).toEqual({ instance, host: hostName });
  });

  it.each([['cyr_'], ['cyr_a_b_c'], ['docker-ns'], ['cyrange_x'], ['']])('a foreign namespace %j is not ours', (name) => {
    expect(parseNetnsName(name)).toBeNull();
  });
});
