import { CyrangeError } from './errors.js';
import { type Cidr, broadcastOf, cidrContains, formatCidr, formatIpv4, hostBoundsOf, isPointToPoint } from './ip.js';

/**
 * First address auto-assignment may take: the 10th host address, or the 1st in subnets under 32
 * addresses (in a /31, whose two addresses are both hosts', the lower one).
 */
export function autoStartOf(c: Cidr): number {
  return c.size < 32 ? hostBoundsOf(c)[0] : c.network + 10;
}

/** What a static host address is checked against on one network. */
export interface StaticIpContext {
  readonly cidr: Cidr;
  /** Null on a /31, which has no gateway. */
  readonly gateway: number | null;
  readonly pool: readonly [number, number] | null;
  readonly alloc: SubnetAllocator;
}

/**
 * Why `addr` cannot be a static host address on a network, as the end of a sentence whose object
 * follows ("is the gateway of"), or null when it can. The one check for blueprints and `nic add`.
 */
export function staticIpRefusal(addr: number, net: StaticIpContext): string | null {
  const p2p = isPointToPoint(net.cidr);
  if (!cidrContains(net.cidr, addr)) return 'is not in';
  // RFC 3021: a /31 has neither; both of its addresses are hosts'.
  if (!p2p && addr === net.cidr.network) return 'is the network address of';
  if (!p2p && addr === broadcastOf(net.cidr)) return 'is the broadcast address of';
  if (addr === net.gateway) return 'is the gateway of';
  if (net.pool && addr >= net.pool[0] && addr <= net.pool[1]) return 'is inside the DHCP pool of';
  if (net.alloc.refusal(addr)) return 'is already used in';
  return null;
}

/**
 * Address allocator for one subnet. Auto-assignment takes the lowest free address
 * at or above `autoStartOf`; network, broadcast, gateway and reserved ranges are never given.
 * A moving cursor makes allocating every address of a subnet linear overall, not quadratic.
 */
export class SubnetAllocator {
  readonly cidr: Cidr;
  private readonly used = new Set<number>();
  private readonly reserved: ReadonlyArray<readonly [number, number]>;
  private cursor: number;
  private readonly last: number;
  private readonly gateway: number | undefined;

  /** A /31 has no gateway: `gateway` is left out (or null) there. */
  constructor(cidr: Cidr, opts: { gateway?: number | null; reserved?: ReadonlyArray<readonly [number, number]> } = {}) {
    this.cidr = cidr;
    this.gateway = opts.gateway ?? undefined;
    this.reserved = [...(opts.reserved ?? [])].sort((a, b) => a[0] - b[0]);
    this.cursor = autoStartOf(cidr);
    this.last = hostBoundsOf(cidr)[1];
    if (this.gateway !== undefined) this.used.add(this.gateway);
  }

  /** Why `addr` cannot be used as a host address here, or null when it can. */
  refusal(addr: number): string | null {
    if (!cidrContains(this.cidr, addr)) return `is not in ${formatCidr(this.cidr)}`;
    // RFC 3021: a /31 has neither; both of its addresses are hosts'.
    if (!isPointToPoint(this.cidr) && addr === this.cidr.network) return 'is the network address';
    if (!isPointToPoint(this.cidr) && addr === broadcastOf(this.cidr)) return 'is the broadcast address';
    if (this.used.has(addr)) return 'is already in use';
    return null;
  }

  /** Marks an address as taken (a static IP, the gateway, or a stored lease). */
  take(addr: number): void {
    this.used.add(addr);
  }

  /** Frees an address; the cursor moves back so the lowest free address comes first again. The gateway stays taken. */
  release(addr: number): void {
    if (addr === this.gateway) return;
    if (this.used.delete(addr) && addr < this.cursor) this.cursor = Math.max(addr, autoStartOf(this.cidr));
  }

  /** Whether `addr` is inside a reserved range. */
  isReserved(addr: number): boolean {
    for (const [a, b] of this.reserved) {
      if (addr < a) return false;
      if (addr <= b) return true;
    }
    return false;
  }

  /** Takes and returns the lowest free auto-assignable address; throws CYR_IPAM_EXHAUSTED when none is left. */
  allocate(): number {
    let a = this.cursor;
    while (a <= this.last) {
      const r = this.reservedRangeAt(a);
      if (r) {
        a = r[1] + 1;
        continue;
      }
      if (!this.used.has(a)) break;
      a++;
    }
    if (a > this.last) {
      this.cursor = a;
      throw new CyrangeError('CYR_IPAM_EXHAUSTED', `no free address left in ${formatCidr(this.cidr)}`, {
        hint: 'use a larger subnet or give addresses explicitly',
      });
    }
    this.used.add(a);
    this.cursor = a + 1;
    return a;
  }

  /** Like `allocate` but returns the dotted form. */
  allocateString(): string {
    return formatIpv4(this.allocate());
  }

  private reservedRangeAt(a: number): readonly [number, number] | undefined {
    for (const r of this.reserved) {
      if (a < r[0]) return undefined;
      if (a <= r[1]) return r;
    }
    return undefined;
  }
}
