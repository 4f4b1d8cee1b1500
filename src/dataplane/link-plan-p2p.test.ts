// The range and host sides of a /31 point-to-point network: no gateway address, no route through it.
import { describe, expect, it } from 'vitest';
import { resolveRange } from '../model/index.js';
import { planHostAddresses, planRangeBridges } from './link-plan.js';

const range = resolveRange({
  name: 'p2p',
  networks: [
    { name: 'link', subnet: '10.9.0.0/31' },
    { name: 'lan', subnet: '10.0.1.0/24' },
  ],
  vms: [
    { name: 'only', interfaces: [{ network: 'link' }] },
    { name: 'multi', interfaces: [{ network: 'link' }, { network: 'lan' }] },
    { name: 'classic', interfaces: [{ network: 'lan' }] },
  ],
});
const host = (name: string) => range.hosts.find((h) => h.name === name) ?? (undefined as never);

describe('/31 networks in the link plans', () => {
  it('the bridge of a /31 carries no address; the others their gateway', () => {
    expect(planRangeBridges(range).filter((a) => a[0] === 'addr')).toEqual([
      ['addr', 'add', '10.0.1.1/24', 'dev', range.networks[1]?.bridge],
    ]);
  });

  it.each<[string, string[][]]>([
    ['only', []],
    ['multi', [['route', 'replace', 'default', 'via', '10.0.1.1', 'dev', 'eth1']]],
    ['classic', [['route', 'replace', 'default', 'via', '10.0.1.1', 'dev', 'eth0']]],
  ])('host %s: default route %j', (name, want) => {
    expect(planHostAddresses('p2p', host(name)).filter((a) => a[0] === 'route')).toEqual(want);
    expect(planHostAddresses('p2p', host(name))).toContainEqual([
      'addr',
      'replace',
      `${host(name).interfaces[0]?.ip}/${host(name).interfaces[0]?.prefix}`,
      'dev',
      'eth0',
    ]);
  });
});
