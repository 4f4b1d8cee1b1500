import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRawRange, resolveRange } from '../model/index.js';
import { planDnsmasq } from './dnsmasq-plan.js';
import { toBatch } from './ip-batch.js';
import { planHostAddresses, planHostVeths, planRangeBridges, planUplinkNear } from './link-plan.js';
import { planRangeFirewall } from './nft-plan.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const GOLDEN = resolve(import.meta.dirname, 'testdata');
const corp = resolveRange(loadRawRange(readFileSync(join(EXAMPLES, 'firewall.yaml'), 'utf8')));
const golden = (name: string) => readFileSync(join(GOLDEN, name), 'utf8');

describe('planners (golden files)', () => {
  it('nftables: forward only along routes, same-network traffic allowed, input limited', () => {
    expect(planRangeFirewall(corp, { uplink: null })).toBe(golden('firewall.nft'));
  });

  it('nftables: NAT networks masquerade out of the uplink, others do not', () => {
    const nat = resolveRange(
      loadRawRange(
        'name: n\nnetworks:\n  - { name: out, subnet: 10.5.0.0/24, egress: nat }\n  - { name: in, subnet: 10.6.0.0/24 }\nvms: []\n',
      ),
    );
    const script = planRangeFirewall(nat, { uplink: 'uplink0' });
    expect(script).toContain('iifname { "br-out" } oifname "uplink0" accept');
    expect(script).toContain('oifname "uplink0" masquerade');
    expect(script).not.toContain('"br-in" oifname "uplink0"');
  });

  it('ip batches for bridges, veths and host addresses', () => {
    const web = corp.hosts.find((h) => h.name === 'web');
    const fw = corp.hosts.find((h) => h.name === 'fw');
    if (!web || !fw) throw new Error('example changed');
    const text = [
      '# range',
      toBatch(planRangeBridges(corp)),
      '# veths',
      toBatch(planHostVeths(corp, [{ host: fw, netns: 'cyr_corp_fw' }])),
      '# fw',
      toBatch(planHostAddresses('corp', fw)),
      '# web',
      toBatch(planHostAddresses('corp', web)),
      '# uplink',
      toBatch(planUplinkNear('corp', { farNetns: 'inet', farIfname: 'cyu0', nearIp: '100.64.0.2', farIp: '100.64.0.1' })),
    ].join('\n');
    expect(text).toBe(golden('firewall.ip'));
  });

  it('dnsmasq serves only the networks with dhcp, bound to their bridges', () => {
    expect(planDnsmasq(corp, { leaseFile: '/s/leases', pidFile: '/s/pid' })?.join('\n')).toBe(golden('firewall.dnsmasq').trimEnd());
    const none = resolveRange(loadRawRange('name: x\nnetworks: [{ name: a, subnet: 10.0.0.0/24 }]\nvms: []\n'));
    expect(planDnsmasq(none, { leaseFile: 'l', pidFile: 'p' })).toBeNull();
  });

  it.each([['a b'], ['x;y'], ['$(id)'], ['a\nb'], ['']])('a batch refuses the unsafe token %j', (tok) => {
    expect(() => toBatch([['link', 'set', tok, 'up']])).toThrow(/unsafe/);
  });
});
