import { describe, expect, it } from 'vitest';
import { broadcastOf, cidrContains, cidrsOverlap, formatCidr, formatIpv4, netmaskOf, parseCidr, parseIpv4, parseReserved } from './ip.js';

const cidr = (s: string) => {
  const p = parseCidr(s);
  if ('error' in p) throw new Error(p.error);
  return p.cidr;
};

describe('IPv4 addresses', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.0.2.10', 0x0a00020a],
    ['255.255.255.255', 0xffffffff],
  ])('%s ↔ %i', (text, n) => {
    expect(parseIpv4(text)).toBe(n);
    expect(formatIpv4(n)).toBe(text);
  });

  it.each([['10.0.0'], ['10.0.0.256'], ['10.0.0.01'], ['10.0.0.1 '], ['10.0.0.-1'], ['a.b.c.d'], [''], ['10.0.0.1.2'], ['1e1.0.0.1']])(
    '%j is not an address',
    (text) => {
      expect(parseIpv4(text)).toBeNull();
    },
  );
});

describe('subnets', () => {
  it.each([
    ['10.0.2.0/24', '10.0.2.0/24', 256, '10.0.2.255', '255.255.255.0'],
    ['10.0.0.0/8', '10.0.0.0/8', 2 ** 24, '10.255.255.255', '255.0.0.0'],
    ['192.168.7.252/30', '192.168.7.252/30', 4, '192.168.7.255', '255.255.255.252'],
  ])('%s', (text, formatted, size, broadcast, mask) => {
    const c = cidr(text);
    expect([formatCidr(c), c.size, formatIpv4(broadcastOf(c)), netmaskOf(c.prefix)]).toEqual([formatted, size, broadcast, mask]);
  });

  it.each([
    ['garbage', 'banana', '"banana" is not a CIDR (expected a.b.c.d/prefix)'],
    ['no prefix', '10.0.0.0', '"10.0.0.0" is not a CIDR (expected a.b.c.d/prefix)'],
    ['three-digit prefix', '10.0.0.0/124', '"10.0.0.0/124" is not a CIDR (expected a.b.c.d/prefix)'],
    ['bad address', '10.0.0.300/24', '"10.0.0.300/24" has an invalid IPv4 address'],
    ['host bits set', '10.0.2.5/24', '"10.0.2.5/24" has host bits set (did you mean 10.0.2.0/24?)'],
    ['prefix too long', '10.0.0.0/32', '"10.0.0.0/32": prefix /32 is outside /8../31'],
    ['prefix too short', '10.0.0.0/7', '"10.0.0.0/7": prefix /7 is outside /8../31'],
  ])('refuses %s', (_name, text, error) => {
    expect(parseCidr(text)).toEqual({ error });
  });

  it.each([
    ['10.0.0.0/16', '10.0.5.0/24', true],
    ['10.0.5.0/24', '10.0.0.0/16', true],
    ['10.0.1.0/24', '10.0.1.0/24', true],
    ['10.0.1.0/24', '10.0.2.0/24', false],
    ['10.0.1.0/25', '10.0.1.128/25', false],
  ])('%s and %s overlap: %s', (a, b, want) => {
    expect(cidrsOverlap(cidr(a), cidr(b))).toBe(want);
  });

  it('contains its network and broadcast addresses and nothing outside', () => {
    const c = cidr('10.0.1.0/24');
    expect(['10.0.0.255', '10.0.1.0', '10.0.1.255', '10.0.2.0'].map((a) => cidrContains(c, parseIpv4(a) as number))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it('parses reserved addresses and ranges, locating bad entries', () => {
    const r = parseReserved(
      ['10.0.1.5', '10.0.1.20 - 10.0.1.30', '10.0.2.1', '10.0.1.9-10.0.1.8', 'x'],
      cidr('10.0.1.0/24'),
      'networks[0].reserved',
    );
    expect(r.ranges.map(([a, b]) => `${formatIpv4(a)}-${formatIpv4(b)}`)).toEqual(['10.0.1.5-10.0.1.5', '10.0.1.20-10.0.1.30']);
    expect(r.problems).toEqual([
      { path: 'networks[0].reserved[2]', message: '10.0.2.1 is not in 10.0.1.0/24' },
      { path: 'networks[0].reserved[3]', message: '"10.0.1.9-10.0.1.8" is not an address or a-b range' },
      { path: 'networks[0].reserved[4]', message: '"x" is not an address or a-b range' },
    ]);
  });
});
