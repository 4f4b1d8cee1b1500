import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRawRange, resolveRange } from '../model/index.js';
import { toBatch } from '../sys/index.js';
import { planDnsmasq } from './dnsmasq-plan.js';
import { planHostAddresses, planHostVeths, planRangeBridges, planUplinkNear } from './link-plan.js';
import { planMetadataDocument } from './metadata.js';
import { MAX_NIC_ID, planBridgeFilter, planNicIds } from './nft-bridge-plan.js';
import { planRangeFirewall } from './nft-plan.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const GOLDEN = resolve(import.meta.dirname, 'testdata');
const corp = resolveRange(loadRawRange(readFileSync(join(EXAMPLES, 'firewall.yaml'), 'utf8')));
const golden = (name: string) => readFileSync(join(GOLDEN, name), 'utf8');
const pol = resolveRange(loadRawRange(golden('bridge.yaml')));
const peers = (r: typeof pol) => r.hosts.flatMap((h) => h.interfaces.map((n) => n.peer));

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

  it('bridge table: anti-spoofing (MAC, IP, IPv4 and ARP only), IPv6 dropped, metadata marks, policies', () => {
    expect(planBridgeFilter(pol)).toBe(golden('bridge.nft'));
  });

  it('bridge table: a range without hosts still has the chains, an empty id map and no empty sets', () => {
    const empty = resolveRange(loadRawRange('name: e\nnetworks: [{ name: a, subnet: 10.0.0.0/24 }]\nvms: []\n'));
    const script = planBridgeFilter(empty);
    expect(script).toContain('map nic_ids {\n    type ifname : mark\n  }');
    expect(script).not.toContain('{  }');
    expect(script).toContain('ether type ip6 drop');
  });

  it('both tables use the same NIC ids: the bridge marks a port with N, NAT sends mark N to port 20000+N', () => {
    const ids = planNicIds(pol, new Map([[peers(pol)[2] as string, 9]]));
    const bridge = planBridgeFilter(pol, ids);
    const inet = planRangeFirewall(pol, { uplink: null, nicIds: ids });
    for (const [peer, id] of ids) {
      expect(bridge).toContain(`"${peer}" : ${id}`);
      expect(inet).toContain(`${id} : ${20000 + id}`);
    }
  });

  const [p0, p1, p2, p3] = peers(pol) as [string, string, string, string];
  it.each([
    ['a fresh range numbers NICs in range order', [], [1, 2, 3, 4]],
    [
      'NICs keep the ids the kernel has',
      [
        [p0, 4],
        [p1, 3],
        [p2, 2],
        [p3, 1],
      ],
      [4, 3, 2, 1],
    ],
    [
      'a new NIC gets the lowest id nobody holds',
      [
        [p0, 1],
        [p2, 3],
        [p3, 4],
      ],
      [1, 2, 3, 4],
    ],
    [
      'an id a removed NIC held is not reused in the same change',
      [
        [p0, 1],
        ['vgone', 2],
        [p2, 3],
      ],
      [1, 4, 3, 5],
    ],
    [
      'duplicate or invalid ids in the kernel are replaced',
      [
        [p0, 7],
        [p1, 7],
        [p2, 0],
        [p3, MAX_NIC_ID + 1],
      ],
      [7, 1, 2, 3],
    ],
  ] as const)('planNicIds: %s', (_name, previous, want) => {
    const ids = planNicIds(pol, new Map(previous as readonly (readonly [string, number])[]));
    expect(peers(pol).map((p) => ids.get(p))).toEqual(want);
  });

  it('the metadata document lists NICs by their port and each host once; NICs without an id are left out', () => {
    const doc = planMetadataDocument(
      'i',
      [
        {
          name: 'gw',
          instanceId: 'i-gw',
          hostname: 'gw',
          metaData: 'm',
          userData: 'u',
          networkConfig: 'n',
          nics: [
            { network: 'lan', peer: 'va', mac: '02:00:00:00:00:01', ip: '10.0.1.2' },
            { network: 'dmz', peer: 'vb', mac: '02:00:00:00:00:02', ip: null },
          ],
        },
      ],
      new Map([['vb', 3]]),
    );
    expect(doc).toEqual({
      version: 1,
      instance: 'i',
      address: '169.254.169.254',
      nics: [{ port: 20003, host: 'gw', network: 'dmz', mac: '02:00:00:00:00:02', ip: null }],
      hosts: { gw: { instanceId: 'i-gw', hostname: 'gw', metaData: 'm', userData: 'u', networkConfig: 'n' } },
    });
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
