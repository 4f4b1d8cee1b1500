// RFC 3021 /31 point-to-point networks: both addresses are hosts', there is no gateway.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRawRange } from './blueprint.js';
import { ValidationError, formatProblem } from './errors.js';
import { defaultRouteNic, renderIpArg, renderNetplan } from './guest-config.js';
import { hostBoundsOf, isPointToPoint, parseCidr, parseIpv4 } from './ip.js';
import { SubnetAllocator, autoStartOf } from './ipam.js';
import { addInterfaceTo } from './nic-edit.js';
import { resolveRange } from './resolve.js';
import type { ResolvedRange } from './types.js';

const cidr = (t: string) => {
  const p = parseCidr(t);
  if ('error' in p) throw new Error(p.error);
  return p.cidr;
};
const ip = (t: string) => parseIpv4(t) as number;

function resolveBp(bp: unknown): ResolvedRange {
  return resolveRange(loadRawRange(stringify(bp)));
}
function problemsOf(bp: unknown): string[] {
  try {
    resolveBp(bp);
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map(formatProblem);
    throw e;
  }
}

const p2p = { name: 'link', subnet: '10.9.0.0/31' };
const lan = { name: 'lan', subnet: '10.0.1.0/24' };
const router = (name: string, interfaces: object[]) => ({ name, interfaces });

describe('a /31 subnet', () => {
  it.each<[string, string, boolean, readonly [string, string]]>([
    ['/31', '10.9.0.0/31', true, ['10.9.0.0', '10.9.0.1']],
    ['/30', '10.9.0.0/30', false, ['10.9.0.1', '10.9.0.2']],
    ['/24', '10.0.1.0/24', false, ['10.0.1.1', '10.0.1.254']],
  ])('%s: point-to-point %s, host addresses %j', (_n, text, isP2p, [lo, hi]) => {
    const c = cidr(text);
    expect(isPointToPoint(c)).toBe(isP2p);
    expect(hostBoundsOf(c)).toEqual([ip(lo), ip(hi)]);
  });

  it('is parsed; /32 is still refused', () => {
    expect(parseCidr('10.9.0.0/31')).toEqual({ cidr: { family: 4, network: ip('10.9.0.0'), prefix: 31, size: 2 } });
    expect(parseCidr('10.9.0.0/32')).toEqual({ error: '"10.9.0.0/32": prefix /32 is outside /8../31' });
  });

  it('allocates both addresses, lowest first, then is exhausted', () => {
    const a = new SubnetAllocator(cidr('10.9.0.2/31'));
    expect(autoStartOf(cidr('10.9.0.2/31'))).toBe(ip('10.9.0.2'));
    expect(a.refusal(ip('10.9.0.2'))).toBeNull();
    expect(a.refusal(ip('10.9.0.3'))).toBeNull();
    expect([a.allocateString(), a.allocateString()]).toEqual(['10.9.0.2', '10.9.0.3']);
    expect(() => a.allocate()).toThrow('no free address left in 10.9.0.2/31');
  });
});

describe('resolving a /31 network', () => {
  it('two routers get both addresses, no gateway, and the range bridge no address', () => {
    const r = resolveBp({ name: 'p2p', networks: [p2p], vms: [router('r1', [{ network: 'link' }]), router('r2', [{ network: 'link' }])] });
    expect(r.networks[0]).toMatchObject({ subnet: '10.9.0.0/31', prefix: 31, gateway: '', dhcp: null });
    expect(r.hosts.map((h) => h.interfaces[0]?.ip)).toEqual(['10.9.0.0', '10.9.0.1']);
    expect(r.hosts[0]?.interfaces[0]).toMatchObject({ gateway: '', prefix: 31, addressing: 'auto' });
  });

  it.each<[string, object[], string]>([
    ['static .0 (the network address elsewhere) is a host address', [{ network: 'link', ip: '10.9.0.0' }], '10.9.0.0'],
    ['static .1 (the broadcast address elsewhere) is a host address', [{ network: 'link', ip: '10.9.0.1' }], '10.9.0.1'],
  ])('%s', (_n, interfaces, want) => {
    expect(resolveBp({ name: 'p2p', networks: [p2p], vms: [router('r1', interfaces)] }).hosts[0]?.interfaces[0]?.ip).toBe(want);
  });

  it.each<[string, object, string]>([
    ['a gateway', { networks: [{ ...p2p, gateway: '10.9.0.0' }], vms: [] }, 'networks[0].gateway: 10.9.0.0/31 is a point-to-point network'],
    ['dhcp', { networks: [{ ...p2p, dhcp: true }], vms: [] }, 'networks[0].dhcp: 10.9.0.0/31 is a point-to-point network'],
    ['nat', { networks: [{ ...p2p, egress: 'nat' }], vms: [] }, 'networks[0].egress: 10.9.0.0/31 is a point-to-point network'],
    ['a route', { networks: [p2p, lan], routes: [['link', 'lan']], vms: [] }, 'routes[0]: network link: 10.9.0.0/31 is a point-to-point'],
    [
      'a third host',
      { networks: [p2p], vms: ['a', 'b', 'c'].map((n) => router(n, [{ network: 'link' }])) },
      'vms[2].interfaces[0]: no free address left in 10.9.0.0/31 (network link)',
    ],
    [
      'a host gateway',
      { networks: [p2p], vms: [{ ...router('a', [{ network: 'link' }]), network: { gateway: '10.9.0.1' } }] },
      'vms[0].network.gateway: primary network link (10.9.0.0/31) is point-to-point and has no gateway',
    ],
    [
      'a static address outside',
      { networks: [p2p], vms: [router('a', [{ network: 'link', ip: '10.9.0.2' }])] },
      'vms[0].interfaces[0].ip: 10.9.0.2 is not in network link (10.9.0.0/31)',
    ],
  ])('refuses %s', (_n, extra, want) => {
    expect(problemsOf({ name: 'p2p', ...extra }).join('\n')).toContain(want);
  });
});

describe('default route of a host on a /31', () => {
  const r = resolveBp({
    name: 'p2p',
    networks: [p2p, lan],
    vms: [
      router('only', [{ network: 'link', ip: '10.9.0.0' }]),
      router('multi', [{ network: 'link', ip: '10.9.0.1' }, { network: 'lan' }]),
      router('classic', [{ network: 'lan' }]),
    ],
  });
  const [only, multi, classic] = r.hosts;

  it.each<[string, string | null]>([
    ['only', null],
    ['multi', 'eth1'],
    ['classic', 'eth0'],
  ])('%s: through %s', (name, want) => {
    const h = r.hosts.find((x) => x.name === name);
    expect(h && defaultRouteNic(h)?.ifname).toBe(want ?? undefined);
  });

  it('a /31-only host gets no route in netplan or ip=', () => {
    if (!only) throw new Error('no host');
    expect(renderNetplan(r, only)).not.toContain('routes');
    expect(renderIpArg(only)).toBe('ip=10.9.0.0:::255.255.255.254:only:eth0:off::');
  });

  it('a host with another NIC routes through that one', () => {
    if (!multi || !classic) throw new Error('no host');
    expect(renderNetplan(r, multi)).toMatch(/eth1:[\s\S]*routes:[\s\S]*via: 10\.0\.1\.1/);
    expect(renderIpArg(multi)).toBe('ip=10.9.0.1:::255.255.255.254:multi:eth0:off:: ip=10.0.1.10::10.0.1.1:255.255.255.0:multi:eth1:off::');
  });
});

describe('nic add on a /31', () => {
  const r = resolveBp({ name: 'p', networks: [lan, p2p], vms: [router('a', [{ network: 'lan' }]), router('b', [{ network: 'lan' }])] });

  it('takes either address when given, like the blueprint does', () => {
    const low = addInterfaceTo(r, 'a', 'link', '10.9.0.0');
    expect(low.nic.ip).toBe('10.9.0.0');
    expect(low.nic.gateway).toBe('');
    const high = addInterfaceTo(low.range, 'b', 'link', '10.9.0.1');
    expect(high.nic.ip).toBe('10.9.0.1');
  });

  it('hands out the lower address first, then the upper, then refuses', () => {
    const one = addInterfaceTo(r, 'a', 'link');
    const two = addInterfaceTo(one.range, 'b', 'link');
    expect([one.nic.ip, two.nic.ip]).toEqual(['10.9.0.0', '10.9.0.1']);
  });

  it('refuses an address the other end has, naming it', () => {
    const one = addInterfaceTo(r, 'a', 'link', '10.9.0.1');
    expect(() => addInterfaceTo(one.range, 'b', 'link', '10.9.0.1')).toThrow(
      /10\.9\.0\.1 is already used in network link \(10\.9\.0\.0\/31\)/,
    );
  });
});
