import { describe, expect, it } from 'vitest';
import { type ResolvedRange, loadRawRange, resolveRange } from '../model/index.js';
import { previewApply } from './plan-diff.js';

const DEPLOYED = `name: lab
networks:
  - { name: lan, subnet: 10.0.1.0/24 }
  - { name: dmz, subnet: 10.0.2.0/24, dhcp: true }
routes: [[lan, dmz]]
vms:
  - name: a
    interfaces: [{ network: lan }]
  - name: b
    image: nginx
    runtime: docker
    interfaces: [{ network: lan }, { network: dmz, ip: 10.0.2.5 }]
  - name: c
    network: { mode: dhcp }
    interfaces: [{ network: dmz }]
`;

/** The range page's view of a deployed range, with the fields `GET /api/ranges/{name}` gives. */
function viewOf(r: ResolvedRange) {
  return {
    name: r.instance,
    blueprint: r.name,
    routes: r.routes.map(([x, y]) => [x, y]),
    networks: r.networks.map((n) => ({
      id: n.name,
      name: n.name,
      subnet: n.subnet,
      gateway: n.gateway,
      egress: n.egress,
      dhcp: n.dhcp !== null,
    })),
    hosts: r.hosts.map((h) => ({
      name: h.name,
      runtime: h.runtime,
      image: h.image,
      mode: h.network.mode,
      hidden: h.hidden,
      vnc_port: h.vncPort,
      state: 'running',
      networks: h.interfaces.map((n) => ({
        network_id: n.network,
        network_name: n.network,
        // A DHCP NIC shows the address it was seen with.
        ip_address: n.ip ?? '10.0.2.77',
        subnet: '',
        is_primary: n.primary,
        mac: n.mac,
        ifname: n.ifname,
        addressing: n.addressing,
      })),
      network_id: null,
      ip_address: null,
    })),
  } as never;
}

const view = viewOf(resolveRange(loadRawRange(DEPLOYED), { instance: 'lab-1' }));

describe('the changes a blueprint would make to a deployed range', () => {
  it.each<[string, string, string[], boolean]>([
    ['the same blueprint', DEPLOYED, [], false],
    // b keeps the address it has (10.0.1.11), as the server pins it, though a is gone.
    ['a host removed', DEPLOYED.replace('  - name: a\n    interfaces: [{ network: lan }]\n', ''), ['- host a'], false],
    [
      'a NIC, a host and a route',
      `${DEPLOYED.replace('routes: [[lan, dmz]]\n', '').replace('name: a\n    interfaces: [{ network: lan }]', 'name: a\n    interfaces: [{ network: lan }, { network: dmz }]')}  - name: d\n    interfaces: [{ network: lan }]\n`,
      ['+ nic a/dmz 10.0.2.10', '+ host d', '~ routes [dmz-lan] → []'],
      false,
    ],
    [
      'a gateway, which cannot change in place',
      DEPLOYED.replace('{ name: lan, subnet: 10.0.1.0/24 }', '{ name: lan, subnet: 10.0.1.0/24, gateway: 10.0.1.254 }'),
      ['! replace network lan: networks[0].gateway 10.0.1.1 → 10.0.1.254 (the range is rebuilt; needs --replace)'],
      true,
    ],
  ])('%s', (_, source, lines, replaces) => {
    expect(previewApply(view, source)).toEqual({ lines, replaces });
  });

  it('a bad blueprint gives its problems instead', () => {
    expect(previewApply(view, DEPLOYED.replace('ip: 10.0.2.5', 'ip: 10.0.9.5'))).toEqual({
      problems: ['vms[1].interfaces[1].ip: 10.0.9.5 is not in network dmz (10.0.2.0/24)'],
    });
  });
});
