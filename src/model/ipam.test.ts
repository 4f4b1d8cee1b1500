import { describe, expect, it } from 'vitest';
import { CyrangeError } from './errors.js';
import { formatIpv4, parseCidr, parseIpv4 } from './ip.js';
import { SubnetAllocator, autoStartOf } from './ipam.js';

const cidr = (s: string) => {
  const p = parseCidr(s);
  if ('error' in p) throw new Error(p.error);
  return p.cidr;
};
const ip = (s: string) => parseIpv4(s) as number;

describe('IPAM', () => {
  it.each([
    ['10.0.2.0/24', '10.0.2.10'],
    ['10.0.0.0/16', '10.0.0.10'],
    ['10.0.2.0/27', '10.0.2.10'],
    ['10.0.2.0/28', '10.0.2.1'],
    ['10.0.2.0/30', '10.0.2.1'],
  ])('auto start in %s is %s', (c, want) => {
    expect(formatIpv4(autoStartOf(cidr(c)))).toBe(want);
  });

  it('hands out the lowest free address, skipping used, gateway and reserved ones', () => {
    const a = new SubnetAllocator(cidr('10.0.1.0/24'), { gateway: ip('10.0.1.10'), reserved: [[ip('10.0.1.12'), ip('10.0.1.13')]] });
    a.take(ip('10.0.1.11'));
    expect([a.allocateString(), a.allocateString()]).toEqual(['10.0.1.14', '10.0.1.15']);
  });

  it('never gives the network or broadcast address, and runs out with CYR_IPAM_EXHAUSTED', () => {
    const a = new SubnetAllocator(cidr('10.0.9.0/30'), { gateway: ip('10.0.9.1') });
    expect(a.allocateString()).toBe('10.0.9.2');
    let err: unknown;
    try {
      a.allocate();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CyrangeError);
    expect((err as CyrangeError).code).toBe('CYR_IPAM_EXHAUSTED');
  });

  it('gives a released address again before higher ones', () => {
    const a = new SubnetAllocator(cidr('10.0.1.0/24'));
    const first = [a.allocateString(), a.allocateString(), a.allocateString()];
    a.release(ip(first[1] as string));
    expect(a.allocateString()).toBe(first[1]);
    expect(a.allocateString()).toBe('10.0.1.13');
  });

  it.each([
    ['10.0.1.0', 'is the network address'],
    ['10.0.1.255', 'is the broadcast address'],
    ['10.0.2.1', 'is not in 10.0.1.0/24'],
    ['10.0.1.1', 'is already in use'],
  ])('refuses %s: %s', (addr, why) => {
    const a = new SubnetAllocator(cidr('10.0.1.0/24'), { gateway: ip('10.0.1.1') });
    expect(a.refusal(ip(addr))).toBe(why);
  });

  it('allocates a whole /16 in linear time', () => {
    const a = new SubnetAllocator(cidr('10.0.0.0/16'), { gateway: ip('10.0.0.1') });
    const t0 = performance.now();
    let n = 0;
    try {
      for (;;) {
        a.allocate();
        n++;
      }
    } catch {
      // exhausted
    }
    expect(n).toBe(65536 - 2 - 9);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('IPAM: lowest free address, never a special one', () => {
  /** Allocates until exhausted; returns what was handed out. */
  const drain = (a: SubnetAllocator): string[] => {
    const out: string[] = [];
    for (;;) {
      try {
        out.push(a.allocateString());
      } catch (e) {
        expect((e as CyrangeError).code).toBe('CYR_IPAM_EXHAUSTED');
        return out;
      }
    }
  };

  it.each([
    ['a /24 starts at the 10th host address', '10.0.2.0/24', '10.0.2.1', '10.0.2.10'],
    ['a /27 (32 addresses) starts at the 10th too', '10.0.2.32/27', '10.0.2.33', '10.0.2.42'],
    ['a /28 starts at the first host address, after the gateway', '10.0.2.16/28', '10.0.2.17', '10.0.2.18'],
    ['a /29 with the gateway last starts at the first host address', '10.0.2.8/29', '10.0.2.14', '10.0.2.9'],
    ['a /16 starts at x.x.0.10', '172.20.0.0/16', '172.20.0.1', '172.20.0.10'],
  ])('%s', (_name, c, gw, first) => {
    expect(new SubnetAllocator(cidr(c), { gateway: ip(gw) }).allocateString()).toBe(first);
  });

  it.each([
    ['/30 with a gateway', '10.0.9.0/30', '10.0.9.1', ['10.0.9.2']],
    ['/29 without a gateway', '10.0.9.0/29', undefined, ['10.0.9.1', '10.0.9.2', '10.0.9.3', '10.0.9.4', '10.0.9.5', '10.0.9.6']],
    ['/29 with the gateway in the middle', '10.0.9.0/29', '10.0.9.3', ['10.0.9.1', '10.0.9.2', '10.0.9.4', '10.0.9.5', '10.0.9.6']],
  ])('drains a %s without the network, broadcast or gateway address', (_name, c, gw, want) => {
    expect(drain(new SubnetAllocator(cidr(c), gw ? { gateway: ip(gw) } : {}))).toEqual(want);
  });

  it('a /24 gives 245 addresses: .10 to .254 less the gateway', () => {
    const got = drain(new SubnetAllocator(cidr('10.0.2.0/24'), { gateway: ip('10.0.2.1') }));
    expect(got).toHaveLength(245);
    expect([got[0], got.at(-1)]).toEqual(['10.0.2.10', '10.0.2.254']);
  });

  it('skips reserved ranges given unsorted and overlapping', () => {
    const a = new SubnetAllocator(cidr('10.0.1.0/28'), {
      gateway: ip('10.0.1.1'),
      reserved: [
        [ip('10.0.1.8'), ip('10.0.1.9')],
        [ip('10.0.1.3'), ip('10.0.1.6')],
        [ip('10.0.1.4'), ip('10.0.1.4')],
        [ip('10.0.1.11'), ip('10.0.1.14')],
      ],
    });
    expect(drain(a)).toEqual(['10.0.1.2', '10.0.1.7', '10.0.1.10']);
    expect([a.isReserved(ip('10.0.1.5')), a.isReserved(ip('10.0.1.7')), a.isReserved(ip('10.0.1.14'))]).toEqual([true, false, true]);
  });

  it('never hands out an address taken as static, before or after allocation began', () => {
    const a = new SubnetAllocator(cidr('10.0.1.0/24'), { gateway: ip('10.0.1.1') });
    a.take(ip('10.0.1.10'));
    a.take(ip('10.0.1.12'));
    expect(a.allocateString()).toBe('10.0.1.11');
    a.take(ip('10.0.1.13'));
    expect(a.allocateString()).toBe('10.0.1.14');
    expect(a.refusal(ip('10.0.1.12'))).toBe('is already in use');
  });

  it('after release the lowest free address comes back first, whatever the release order', () => {
    const a = new SubnetAllocator(cidr('10.0.1.0/24'), { gateway: ip('10.0.1.1') });
    const got = Array.from({ length: 6 }, () => a.allocateString());
    expect(got).toEqual(['10.0.1.10', '10.0.1.11', '10.0.1.12', '10.0.1.13', '10.0.1.14', '10.0.1.15']);
    for (const r of ['10.0.1.14', '10.0.1.11', '10.0.1.13']) a.release(ip(r));
    expect([a.allocateString(), a.allocateString(), a.allocateString(), a.allocateString()]).toEqual([
      '10.0.1.11',
      '10.0.1.13',
      '10.0.1.14',
      '10.0.1.16',
    ]);
  });

  it('releasing a static address below the auto start does not make it auto-assignable', () => {
    const a = new SubnetAllocator(cidr('10.0.1.0/24'), { gateway: ip('10.0.1.1') });
    a.take(ip('10.0.1.5'));
    a.release(ip('10.0.1.5'));
    expect(a.refusal(ip('10.0.1.5'))).toBeNull();
    expect(a.allocateString()).toBe('10.0.1.10');
  });

  it('keeps the gateway taken even when it is released', () => {
    const a = new SubnetAllocator(cidr('10.0.9.0/29'), { gateway: ip('10.0.9.1') });
    a.release(ip('10.0.9.1'));
    expect(a.refusal(ip('10.0.9.1'))).toBe('is already in use');
    expect(drain(a)).toEqual(['10.0.9.2', '10.0.9.3', '10.0.9.4', '10.0.9.5', '10.0.9.6']);
  });

  it('an exhausted subnet gives a released address again, then is exhausted again', () => {
    const a = new SubnetAllocator(cidr('10.0.9.0/29'), { gateway: ip('10.0.9.1') });
    drain(a);
    a.release(ip('10.0.9.4'));
    expect(drain(a)).toEqual(['10.0.9.4']);
  });

  it('says what ran out and how to fix it', () => {
    const a = new SubnetAllocator(cidr('10.0.9.0/30'), { gateway: ip('10.0.9.1') });
    a.allocate();
    let err: CyrangeError | undefined;
    try {
      a.allocate();
    } catch (e) {
      err = e as CyrangeError;
    }
    expect(err).toMatchObject({
      code: 'CYR_IPAM_EXHAUSTED',
      message: 'no free address left in 10.0.9.0/30',
      hint: 'use a larger subnet or give addresses explicitly',
    });
  });
});
