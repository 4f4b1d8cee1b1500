import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRawRange } from './blueprint.js';
import type { ValidationError } from './errors.js';
import { addHostTo, removeHostFrom } from './host-edit.js';
import { addInterfaceTo, removeInterfaceFrom } from './nic-edit.js';
import { resolveRange } from './resolve.js';

const corp = resolveRange(loadRawRange(readFileSync(resolve(import.meta.dirname, '../../examples/firewall.yaml'), 'utf8')));

describe('NIC edits on a resolved range', () => {
  it('adds a NIC with the next free address and the next free ethN', () => {
    const { range, nic } = addInterfaceTo(corp, 'web', 'lan');
    expect(nic).toMatchObject({ network: 'lan', ip: '10.0.1.11', ifname: 'eth1', primary: false, addressing: 'auto' });
    expect(range.hosts.find((h) => h.name === 'web')?.interfaces).toHaveLength(2);
    expect(corp.hosts.find((h) => h.name === 'web')?.interfaces).toHaveLength(1);
  });

  it.each([
    ['web', 'dmz', undefined, /already on host web/],
    ['web', 'lan', '10.0.1.2', /already used/],
    ['web', 'lan', '10.0.2.5', /is not in network lan/],
    ['web', 'lan', '10.0.1.200', /inside the DHCP pool/],
    ['ws1', 'dmz', '10.0.2.50', /not allowed in dhcp mode/],
    ['web', 'nope', undefined, /unknown network "nope"/],
  ])('refuses %s on %s with %s', (host, network, ip, msg) => {
    expect(() => addInterfaceTo(corp, host, network, ip)).toThrow(msg);
  });

  it('removes a NIC but never the primary', () => {
    const added = addInterfaceTo(corp, 'web', 'lan').range;
    expect(removeInterfaceFrom(added, 'web', 'lan').range.hosts.find((h) => h.name === 'web')?.interfaces).toHaveLength(1);
    expect(() => removeInterfaceFrom(corp, 'web', 'dmz')).toThrow(/primary/);
  });
});

describe('host edits on a resolved range', () => {
  it('adds a host with every blueprint rule, keeping existing addresses', () => {
    const { range, host } = addHostTo(corp, { name: 'new', interfaces: [{ network: 'lan' }, { network: 'wan', ip: '10.0.0.77' }] });
    expect(host.interfaces.map((n) => n.ip)).toEqual(['10.0.1.11', '10.0.0.77']);
    expect(range.hosts.slice(0, corp.hosts.length)).toEqual(corp.hosts);
  });

  it('reports problems relative to the host', () => {
    try {
      addHostTo(corp, { name: 'bad', interfaces: [{ network: 'lan', ip: '10.0.1.2' }] });
      expect.fail('should refuse');
    } catch (e) {
      expect((e as ValidationError).problems).toEqual([
        { path: 'interfaces[0].ip', message: '10.0.1.2 is already used in network lan (10.0.1.0/24)' },
      ]);
    }
    expect(() => addHostTo(corp, { name: 'fw', interfaces: [{ network: 'lan' }] })).toThrow(/already exists/);
    expect(() => addHostTo(corp, { name: 'x' })).toThrow(/At least one network interface required/);
  });

  it('removes a host', () => {
    expect(removeHostFrom(corp, 'web').range.hosts.map((h) => h.name)).not.toContain('web');
  });
});

describe('edits keep the blueprint rules that resolution applied', () => {
  const withReserved = resolveRange(
    loadRawRange(
      [
        'name: rsv',
        'networks:',
        '  - { name: lan, subnet: 10.0.1.0/24, reserved: [10.0.1.11-10.0.1.12], dhcp: true, gateway: 10.0.1.200 }',
        '  - { name: dmz, subnet: 10.0.2.0/24 }',
        'vms:',
        '  - { name: a, interfaces: [{ network: lan }] }',
        '  - { name: b, interfaces: [{ network: dmz }] }',
      ].join('\n'),
    ),
  );

  it('resolution keeps the reserved addresses and a pool without the gateway', () => {
    expect(withReserved.networks[0]).toMatchObject({ reserved: ['10.0.1.11-10.0.1.12'], dhcp: { start: '10.0.1.128', end: '10.0.1.199' } });
    expect(withReserved.hosts[0]?.interfaces[0]?.ip).toBe('10.0.1.10');
  });

  it('a NIC added later skips reserved addresses too', () => {
    expect(addInterfaceTo(withReserved, 'b', 'lan').nic.ip).toBe('10.0.1.13');
  });

  it('a host added later skips reserved addresses and still resolves with the pool', () => {
    expect(addHostTo(withReserved, { name: 'c', interfaces: [{ network: 'lan' }] }).host.interfaces[0]?.ip).toBe('10.0.1.13');
  });

  it('a range stored before reserved addresses were kept still takes NICs', () => {
    const old = { ...withReserved, networks: withReserved.networks.map(({ reserved: _r, ...n }) => n) };
    expect(addInterfaceTo(old, 'b', 'lan').nic.ip).toBe('10.0.1.11');
  });
});
