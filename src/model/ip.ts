import type { Problem } from './errors.js';

/** An IPv4 subnet. The `family` tag keeps the door open for IPv6. */
export interface Cidr4 {
  readonly family: 4;
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefix: number;
  /** Number of addresses in the subnet, network and broadcast included. */
  readonly size: number;
}
export type Cidr = Cidr4;

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Parses a dotted-quad IPv4 address to an unsigned integer, or null. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

/** Formats an unsigned 32-bit integer as dotted-quad IPv4. */
export function formatIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parses `a.b.c.d/p` (a network's subnet: /8../31 unless `bounds` says otherwise). Host bits must be zero; the reason is returned when not. */
export function parseCidr(text: string, bounds: { min: number; max: number } = { min: 8, max: 31 }): { cidr: Cidr } | { error: string } {
  const m = /^([^/]+)\/([0-9]{1,2})$/.exec(text);
  if (!m) return { error: `"${text}" is not a CIDR (expected a.b.c.d/prefix)` };
  const addr = parseIpv4(m[1] as string);
  const prefix = Number(m[2]);
  if (addr === null) return { error: `"${text}" has an invalid IPv4 address` };
  if (prefix > bounds.max || prefix < bounds.min)
    return { error: `"${text}": prefix /${prefix} is outside /${bounds.min}../${bounds.max}` };
  const size = 2 ** (32 - prefix);
  const network = addr - (addr % size);
  if (network !== addr) return { error: `"${text}" has host bits set (did you mean ${formatIpv4(network)}/${prefix}?)` };
  return { cidr: { family: 4, network, prefix, size } };
}

/** Formats a subnet as `a.b.c.d/p`. */
export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** Broadcast address of a subnet. */
export function broadcastOf(c: Cidr): number {
  return c.network + c.size - 1;
}

/** Whether a subnet is an RFC 3021 point-to-point link (/31): two host addresses, no network or broadcast address, no gateway. */
export function isPointToPoint(c: Cidr): boolean {
  return c.prefix === 31;
}

/** The lowest and highest address a host may have: both addresses of a /31, else all but network and broadcast. */
export function hostBoundsOf(c: Cidr): readonly [number, number] {
  return isPointToPoint(c) ? [c.network, c.network + 1] : [c.network + 1, broadcastOf(c) - 1];
}

/** Whether an address lies inside a subnet (network and broadcast included). */
export function cidrContains(c: Cidr, addr: number): boolean {
  return addr >= c.network && addr <= broadcastOf(c);
}

/** Whether two subnets share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network <= broadcastOf(b) && b.network <= broadcastOf(a);
}

/** Dotted netmask of a prefix length (`24` → `255.255.255.0`). */
export function netmaskOf(prefix: number): string {
  return formatIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/** Parses reserved entries: single addresses or `a-b` ranges, all inside `c`. */
export function parseReserved(
  entries: readonly string[],
  c: Cidr,
  path: string,
): { ranges: Array<readonly [number, number]>; problems: Problem[] } {
  const ranges: Array<readonly [number, number]> = [];
  const problems: Problem[] = [];
  entries.forEach((e, i) => {
    const [lo, hi = lo] = e.split('-').map((s) => s.trim());
    const a = parseIpv4(lo ?? '');
    const b = parseIpv4(hi ?? '');
    if (a === null || b === null || b < a) {
      problems.push({ path: `${path}[${i}]`, message: `"${e}" is not an address or a-b range` });
    } else if (!cidrContains(c, a) || !cidrContains(c, b)) {
      problems.push({ path: `${path}[${i}]`, message: `${e} is not in ${formatCidr(c)}` });
    } else ranges.push([a, b]);
  });
  return { ranges, problems };
}
