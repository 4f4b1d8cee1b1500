import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRawRange, parseDocumentText } from './blueprint.js';
import { ValidationError, formatProblem } from './errors.js';
import { resolveRange } from './resolve.js';

const EXAMPLES = resolvePath(import.meta.dirname, '../../examples');

/** Resolves a blueprint given as an object; returns the problems as `path: message` lines. */
function problemsOf(bp: unknown): string[] {
  try {
    resolveRange(loadRawRange(stringify(bp)));
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map(formatProblem);
    throw e;
  }
}

const net = (name: string, subnet: string, extra: object = {}) => ({ name, subnet, ...extra });
const host = (name: string, interfaces: object[], extra: object = {}) => ({ name, interfaces, ...extra });
const bp = (networks: object[], vms: object[], extra: object = {}) => ({ name: 'r', networks, vms, ...extra });

describe('validation rules, each reported with its field path', () => {
  it.each<[string, unknown, string]>([
    // names
    ['range name pattern', { name: 'Bad_Name', networks: [], vms: [] }, 'name: "Bad_Name" must match [a-z0-9-]'],
    ['range name length', { name: 'a'.repeat(25), networks: [], vms: [] }, 'name: "aaaaaaaaaaaaaaaaaaaaaaaaa" must match'],
    ['host name pattern', bp([net('lan', '10.0.1.0/24')], [host('-x', [{ network: 'lan' }])]), 'vms[0].name: "-x" must match'],
    ['host name length', bp([net('lan', '10.0.1.0/24')], [host('h'.repeat(33), [{ network: 'lan' }])]), 'vms[0].name:'],
    ['network name pattern', bp([net('LAN', '10.0.1.0/24')], []), 'networks[0].name: "LAN" must match'],
    [
      'duplicate host names',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }]), host('a', [{ network: 'lan' }])]),
      'vms[1].name: duplicate host name "a" (also vms[0])',
    ],
    [
      'duplicate network names',
      bp([net('lan', '10.0.1.0/24'), net('lan', '10.0.2.0/24')], []),
      'networks[1].name: duplicate network name "lan" (also networks[0])',
    ],
    // subnets
    ['subnet is not a CIDR', bp([net('lan', 'banana')], []), 'networks[0].subnet: "banana" is not a CIDR'],
    [
      'subnet with host bits',
      bp([net('lan', '10.0.1.7/24')], []),
      'networks[0].subnet: "10.0.1.7/24" has host bits set (did you mean 10.0.1.0/24?)',
    ],
    ['subnet prefix out of range', bp([net('lan', '10.0.0.0/32')], []), 'networks[0].subnet: "10.0.0.0/32": prefix /32 is outside /8../31'],
    ['bad address in a subnet', bp([net('lan', '10.0.300.0/24')], []), 'networks[0].subnet: "10.0.300.0/24" has an invalid IPv4 address'],
    [
      'overlapping networks',
      bp([net('a', '10.0.0.0/16'), net('b', '10.0.5.0/24')], []),
      'networks[1].subnet: 10.0.5.0/24 overlaps network a (10.0.0.0/16)',
    ],
    // gateways
    [
      'gateway outside the subnet',
      bp([net('lan', '10.0.1.0/24', { gateway: '10.0.2.1' })], []),
      'networks[0].gateway: 10.0.2.1 is not in 10.0.1.0/24',
    ],
    [
      'gateway is the network address',
      bp([net('lan', '10.0.1.0/24', { gateway: '10.0.1.0' })], []),
      'networks[0].gateway: 10.0.1.0 is the network address of 10.0.1.0/24',
    ],
    [
      'gateway is the broadcast address',
      bp([net('lan', '10.0.1.0/24', { gateway: '10.0.1.255' })], []),
      'networks[0].gateway: 10.0.1.255 is the broadcast address of 10.0.1.0/24',
    ],
    // interfaces
    [
      'unknown network',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'wan' }])]),
      'vms[0].interfaces[0].network: unknown network "wan" (defined: lan)',
    ],
    [
      'same network twice on a host',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }, { network: 'lan' }])]),
      'vms[0].interfaces[1].network: network lan is already on this host',
    ],
    [
      'ip outside the subnet',
      bp([net('dmz', '10.0.2.0/24')], [host('a', [{ network: 'dmz', ip: '10.0.3.5' }])]),
      'vms[0].interfaces[0].ip: 10.0.3.5 is not in network dmz (10.0.2.0/24)',
    ],
    [
      'ip is the network address',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan', ip: '10.0.1.0' }])]),
      'vms[0].interfaces[0].ip: 10.0.1.0 is the network address of network lan',
    ],
    [
      'ip is the broadcast address',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan', ip: '10.0.1.255' }])]),
      'vms[0].interfaces[0].ip: 10.0.1.255 is the broadcast address of network lan',
    ],
    [
      'ip is the gateway',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan', ip: '10.0.1.1' }])]),
      'vms[0].interfaces[0].ip: 10.0.1.1 is the gateway of network lan (10.0.1.0/24)',
    ],
    [
      'ip used twice in the range',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan', ip: '10.0.1.5' }]), host('b', [{ network: 'lan', ip: '10.0.1.5' }])]),
      'vms[1].interfaces[0].ip: 10.0.1.5 is already used in network lan',
    ],
    [
      'ip is not an address',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan', ip: 'ten' }])]),
      'vms[0].interfaces[0].ip: "ten" is not an IPv4 address',
    ],
    [
      'ip inside the DHCP pool',
      bp([net('lan', '10.0.1.0/24', { dhcp: true })], [host('a', [{ network: 'lan', ip: '10.0.1.200' }])]),
      'vms[0].interfaces[0].ip: 10.0.1.200 is inside the DHCP pool of network lan',
    ],
    // modes
    [
      'dhcp forbids a static IP',
      bp([net('lan', '10.0.1.0/24', { dhcp: true })], [host('a', [{ network: 'lan', ip: '10.0.1.7' }], { network: { mode: 'dhcp' } })]),
      'vms[0].interfaces[0].ip: a static IP (10.0.1.7) is not allowed in dhcp mode',
    ],
    [
      'dhcp needs a DHCP server on the network',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { network: { mode: 'dhcp' } })]),
      'vms[0].interfaces[0]: network lan serves no DHCP (set dhcp: true on it)',
    ],
    [
      'vsock forbids interfaces',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { network: { mode: 'vsock' } })]),
      'vms[0].interfaces: vsock mode has no network interfaces',
    ],
    [
      'bridged with auto_assign false needs an IP',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { network: { auto_assign: false } })]),
      'vms[0].interfaces[0].ip: no IP given and network.auto_assign is false',
    ],
    [
      'bridged or dhcp needs an interface',
      bp([net('lan', '10.0.1.0/24')], [host('a', [])]),
      'vms[0].interfaces: At least one network interface required',
    ],
    [
      'host subnet must match its primary network',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { network: { subnet: '10.0.9.0/24' } })]),
      'vms[0].network.subnet: 10.0.9.0/24 does not match primary network lan (10.0.1.0/24)',
    ],
    // unknowns
    [
      'unknown plugin',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { plugin: 'nope' })]),
      'vms[0].plugin: unknown plugin "nope" (defined: none)',
    ],
    [
      'unknown runtime',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { runtime: 'kvm' })]),
      'vms[0].runtime: unknown value "kvm" (valid: netns, docker, microvm)',
    ],
    [
      'unknown mode',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { network: { mode: 'wifi' } })]),
      'vms[0].network.mode: unknown value "wifi" (valid: bridged, dhcp, vsock)',
    ],
    [
      'unknown egress',
      bp([net('lan', '10.0.1.0/24', { egress: 'internet' })], []),
      'networks[0].egress: unknown value "internet" (valid: none, nat, bridge)',
    ],
    ['unknown field', bp([net('lan', '10.0.1.0/24', { vlan: 5 })], []), 'networks[0]: unknown field "vlan"'],
    // exhaustion
    [
      'exhausting a /30',
      bp([net('tiny', '10.0.9.0/30')], [host('a', [{ network: 'tiny' }]), host('b', [{ network: 'tiny' }])]),
      'vms[1].interfaces[0]: no free address left in 10.0.9.0/30 (network tiny)',
    ],
    // routes and runtimes
    [
      'route to an unknown network',
      bp([net('lan', '10.0.1.0/24')], [], { routes: [['lan', 'dmz']] }),
      'routes[0][1]: unknown network "dmz"',
    ],
    [
      'docker without an image',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { runtime: 'docker' })]),
      'vms[0].image: a docker host needs an image',
    ],
    [
      'bad memory size',
      bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }], { resources: { memory: 'lots' } })]),
      'vms[0].resources.memory: "lots" is not a size',
    ],
    [
      'legacy and interfaces together',
      bp([net('lan', '10.0.1.0/24')], [{ name: 'a', network_id: 'lan', interfaces: [{ network: 'lan' }] }]),
      'vms[0].network_id: give either interfaces or the legacy network_id/ip_address, not both',
    ],
    [
      'legacy with an unknown network',
      bp([net('lan', '10.0.1.0/24')], [{ name: 'a', network_id: 'wan' }]),
      'vms[0].network_id: unknown network "wan" (defined: lan)',
    ],
  ])('%s', (_rule, blueprint, want) => {
    const got = problemsOf(blueprint);
    expect(
      got.some((l) => l.startsWith(want)),
      got.join('\n'),
    ).toBe(true);
  });

  it('reports every problem at once, not only the first', () => {
    const text = readFileSync(join(EXAMPLES, 'invalid', 'bad-ip.yaml'), 'utf8');
    try {
      resolveRange(loadRawRange(text, 'bad-ip.yaml'), { source: 'bad-ip.yaml' });
      expect.fail('should not resolve');
    } catch (e) {
      const lines = (e as ValidationError).problems.map((p) => `${p.path}: ${p.message}`);
      expect(lines).toHaveLength(3);
      expect(lines).toContain('vms[2].interfaces[1].ip: 10.0.3.5 is not in network dmz (10.0.2.0/24)');
      expect((e as ValidationError).message.split('\n').every((l) => l.startsWith('bad-ip.yaml: '))).toBe(true);
    }
  });
});

describe('resolution', () => {
  it('auto-assigns from the 10th host address, after every static address is taken', () => {
    const r = resolveRange(
      loadRawRange(
        stringify(bp([net('dmz', '10.0.2.0/24')], [host('a', [{ network: 'dmz' }]), host('b', [{ network: 'dmz', ip: '10.0.2.10' }])])),
      ),
    );
    expect(r.hosts.map((h) => h.interfaces[0]?.ip)).toEqual(['10.0.2.11', '10.0.2.10']);
  });

  it('auto-assigns from the first host address in subnets of fewer than 32 addresses', () => {
    const r = resolveRange(loadRawRange(stringify(bp([net('small', '10.0.2.0/28')], [host('a', [{ network: 'small' }])]))));
    expect(r.hosts[0]?.interfaces[0]?.ip).toBe('10.0.2.2');
  });

  it('loads the legacy single-NIC form as one primary interface', () => {
    const r = resolveRange(loadRawRange(readFileSync(join(EXAMPLES, 'legacy-single-nic.json'), 'utf8')));
    expect(r.hosts.map((h) => h.interfaces.map((n) => [n.network, n.ip, n.primary, n.ifname]))).toEqual([
      [['lan', '192.168.50.5', true, 'eth0']],
      [['lan', '192.168.50.10', true, 'eth0']],
    ]);
  });

  it('takes runtime, image, command, env and resources from the plugin, host fields winning one by one', () => {
    const r = resolveRange(
      loadRawRange(
        stringify({
          name: 'p',
          plugins: {
            web: {
              runtime: 'docker',
              image: 'nginx:alpine',
              env: { A: '1', B: '2' },
              resources: { memory: '256m', cpus: 1 },
              network: { mode: 'dhcp' },
            },
          },
          networks: [net('lan', '10.0.1.0/24', { dhcp: true })],
          vms: [
            host('w', [{ network: 'lan' }], {
              plugin: 'web',
              env: { B: '3' },
              resources: { cpus: 0.5 },
              command: 'nginx -g "daemon off;"',
            }),
          ],
        }),
      ),
    );
    const h = r.hosts[0];
    expect(h).toMatchObject({
      runtime: 'docker',
      image: 'nginx:alpine',
      env: { A: '1', B: '3' },
      resources: { memoryBytes: 256 * 1024 * 1024, cpus: 0.5 },
      network: { mode: 'dhcp' },
    });
    expect(h?.command).toEqual(['/bin/sh', '-c', 'nginx -g "daemon off;"']);
    expect(h?.interfaces[0]?.addressing).toBe('dhcp');
  });

  it('returns a deeply frozen range', () => {
    const r = resolveRange(loadRawRange(readFileSync(join(EXAMPLES, 'two-tier.yaml'), 'utf8')));
    expect(Object.isFrozen(r.hosts[0]?.interfaces[0])).toBe(true);
  });

  it.each(readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f)))('example %s resolves', (f) => {
    expect(() => resolveRange(loadRawRange(readFileSync(join(EXAMPLES, f), 'utf8'), f))).not.toThrow();
  });

  it.each(readdirSync(join(EXAMPLES, 'invalid')))('invalid example %s is refused with the problem lines it names', (f) => {
    const text = readFileSync(join(EXAMPLES, 'invalid', f), 'utf8');
    let err: unknown;
    try {
      resolveRange(loadRawRange(text, f), { source: f });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    const lines = (err as ValidationError).problems.map(formatProblem);
    expect(lines.length).toBeGreaterThan(0);
    // Each file names what is wrong with it: `# expect: LINE` comments, or `expect: LINE` in a JSON description.
    const expected = f.endsWith('.json')
      ? String((JSON.parse(text) as { description?: string }).description ?? '')
          .split('expect: ')
          .slice(1)
      : [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1] as string);
    expect(expected.length, `${f} names no expected problem`).toBeGreaterThan(0);
    for (const line of expected) expect(lines, `${f}: ${line}`).toContain(line.trim());
    expect((err as ValidationError).message.split('\n')).toEqual(lines.map((l) => `${f}: ${l}`));
  });
});

describe('parsing', () => {
  it('refuses a YAML alias bomb fast', () => {
    const t0 = performance.now();
    expect(() => loadRawRange(readFileSync(join(EXAMPLES, 'invalid', 'bomb.yaml'), 'utf8'))).toThrow(/alias|resource exhaustion/i);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('refuses an oversize document before parsing it', () => {
    const r = parseDocumentText(`# ${'x'.repeat(1024 * 1024 + 1)}`);
    expect('problems' in r && r.problems[0]?.message).toMatch(/larger than/);
  });

  it('reads JSON as well as YAML', () => {
    const r = resolveRange(loadRawRange(JSON.stringify(bp([net('lan', '10.0.1.0/24')], [host('a', [{ network: 'lan' }])]))));
    expect(r.hosts[0]?.interfaces[0]?.ip).toBe('10.0.1.10');
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => loadRawRange('name: x\nnetworks: [\n', 'f.yaml')).toThrow(/f\.yaml: line \d/);
  });
});

const lan = () => net('lan', '10.0.1.0/24');
const onLan = (name: string, extra: object = {}, nic: object = {}) => host(name, [{ network: 'lan', ...nic }], extra);

describe('more validation rules, each with its exact path and message', () => {
  it.each<[string, unknown, string]>([
    // names
    [
      'network name length',
      bp([net('n'.repeat(25), '10.0.1.0/24')], []),
      `networks[0].name: "${'n'.repeat(25)}" must match [a-z0-9-], start with a letter or digit, 1..24 chars`,
    ],
    [
      'host name length (33)',
      bp([lan()], [onLan('h'.repeat(33))]),
      `vms[0].name: "${'h'.repeat(33)}" must match [a-z0-9-], start with a letter or digit, 1..32 chars`,
    ],
    [
      'host name with upper case',
      bp([lan()], [onLan('Web')]),
      'vms[0].name: "Web" must match [a-z0-9-], start with a letter or digit, 1..32 chars',
    ],
    [
      'network name in an interface',
      bp([lan()], [host('a', [{ network: 'L A N' }])]),
      'vms[0].interfaces[0].network: "L A N" must match [a-z0-9-], start with a letter or digit, 1..24 chars',
    ],
    // subnets and gateways
    ['subnet prefix too short', bp([net('lan', '10.0.0.0/7')], []), 'networks[0].subnet: "10.0.0.0/7": prefix /7 is outside /8../31'],
    ['subnet prefix too long', bp([net('lan', '10.0.0.0/33')], []), 'networks[0].subnet: "10.0.0.0/33": prefix /33 is outside /8../31'],
    ['subnet without a prefix', bp([net('lan', '10.0.0.0')], []), 'networks[0].subnet: "10.0.0.0" is not a CIDR (expected a.b.c.d/prefix)'],
    [
      'identical subnets overlap',
      bp([net('a', '10.0.1.0/24'), net('b', '10.0.1.0/24')], []),
      'networks[1].subnet: 10.0.1.0/24 overlaps network a (10.0.1.0/24)',
    ],
    [
      'gateway is not an address',
      bp([net('lan', '10.0.1.0/24', { gateway: 'gw' })], []),
      'networks[0].gateway: "gw" is not an IPv4 address',
    ],
    [
      'explicit DHCP pool holding the gateway',
      bp([net('lan', '10.0.1.0/24', { dhcp: { start: '10.0.1.1', end: '10.0.1.50' } })], []),
      'networks[0].dhcp: pool 10.0.1.1-10.0.1.50 contains the gateway 10.0.1.1',
    ],
    [
      'no room for a default DHCP pool',
      bp([net('t', '10.0.9.0/30', { gateway: '10.0.9.2', dhcp: true })], []),
      'networks[0].dhcp: 10.0.9.0/30 has no room for a DHCP pool beside the gateway 10.0.9.2; use a larger subnet',
    ],
    [
      'reserved entry outside the subnet',
      bp([net('lan', '10.0.1.0/24', { reserved: ['10.0.2.5'] })], []),
      'networks[0].reserved[0]: 10.0.2.5 is not in 10.0.1.0/24',
    ],
    // interfaces
    [
      'ip inside an explicit DHCP pool',
      bp([net('lan', '10.0.1.0/24', { dhcp: { start: '10.0.1.100', end: '10.0.1.150' } })], [onLan('a', {}, { ip: '10.0.1.100' })]),
      'vms[0].interfaces[0].ip: 10.0.1.100 is inside the DHCP pool of network lan (10.0.1.0/24)',
    ],
    [
      'ip of another network',
      bp(
        [net('a', '10.0.1.0/24'), net('b', '10.0.2.0/24')],
        [
          host('h', [
            { network: 'a', ip: '10.0.1.5' },
            { network: 'b', ip: '10.0.1.6' },
          ]),
        ],
      ),
      'vms[0].interfaces[1].ip: 10.0.1.6 is not in network b (10.0.2.0/24)',
    ],
    [
      'multicast MAC',
      bp([lan()], [onLan('a', {}, { mac: '01:00:5e:00:00:01' })]),
      'vms[0].interfaces[0].mac: 01:00:5e:00:00:01 is a multicast MAC; a NIC needs a unicast one (first octet even, e.g. 02:…)',
    ],
    [
      'all-zero MAC',
      bp([lan()], [onLan('a', {}, { mac: '00:00:00:00:00:00' })]),
      'vms[0].interfaces[0].mac: the all-zero MAC cannot be given to a NIC',
    ],
    [
      'MAC given twice',
      bp([lan()], [onLan('a', {}, { mac: '02:00:00:00:00:01' }), onLan('b', {}, { mac: '02:00:00:00:00:01' })]),
      'vms[1].interfaces: MAC 02:00:00:00:00:01 is also used by a/lan',
    ],
    [
      'upper-case MAC',
      bp([lan()], [onLan('a', {}, { mac: '02:AA:00:00:00:01' })]),
      'vms[0].interfaces[0].mac: "02:AA:00:00:00:01" must be a lower-case MAC like 02:00:00:00:00:01',
    ],
    // modes
    [
      'dhcp mode from a plugin, static IP on the host',
      bp([net('lan', '10.0.1.0/24', { dhcp: true })], [onLan('a', { plugin: 'ws' }, { ip: '10.0.1.7' })], {
        plugins: { ws: { network: { mode: 'dhcp' } } },
      }),
      'vms[0].interfaces[0].ip: a static IP (10.0.1.7) is not allowed in dhcp mode',
    ],
    [
      'vsock with network fields of its own',
      bp([], [{ name: 'a', network: { mode: 'vsock', subnet: '10.0.1.0/24' } }]),
      'vms[0].network.subnet: is not used in vsock mode',
    ],
    [
      'legacy form in vsock mode',
      bp([lan()], [{ name: 'a', network_id: 'lan', network: { mode: 'vsock' } }]),
      'vms[0].interfaces: vsock mode has no network interfaces; remove them or choose bridged/dhcp',
    ],
    [
      'auto_assign false from the plugin',
      bp([lan()], [onLan('a', { plugin: 'p' })], { plugins: { p: { network: { auto_assign: false } } } }),
      'vms[0].interfaces[0].ip: no IP given and network.auto_assign is false',
    ],
    [
      'host gateway differs from its primary network',
      bp([lan()], [onLan('a', { network: { gateway: '10.0.1.254' } })]),
      'vms[0].network.gateway: 10.0.1.254 is not the gateway of primary network lan (10.0.1.1)',
    ],
    [
      'auto_assign must be a boolean',
      bp([lan()], [onLan('a', { network: { auto_assign: 'no' } })]),
      'vms[0].network.auto_assign: expected boolean, got "no"',
    ],
    // unknowns
    [
      'unknown plugin lists the defined ones',
      bp([lan()], [onLan('a', { plugin: 'nope' })], { plugins: { web: {}, db: {} } }),
      'vms[0].plugin: unknown plugin "nope" (defined: web, db)',
    ],
    [
      'unknown runtime in a plugin',
      bp([], [], { plugins: { p: { runtime: 'lxc' } } }),
      'plugins.p.runtime: unknown value "lxc" (valid: netns, docker, microvm)',
    ],
    [
      'unknown mode in a plugin',
      bp([], [], { plugins: { p: { network: { mode: 'nat' } } } }),
      'plugins.p.network.mode: unknown value "nat" (valid: bridged, dhcp, vsock)',
    ],
    ['unknown top-level field', bp([], [], { hosts: [] }), 'unknown field "hosts"'],
    ['unknown host field', bp([lan()], [onLan('a', { cpu: 2 })]), 'vms[0]: unknown field "cpu"'],
    ['unknown interface field', bp([lan()], [onLan('a', {}, { addr: '10.0.1.5' })]), 'vms[0].interfaces[0]: unknown field "addr"'],
    ['missing subnet', bp([{ name: 'lan' }], []), 'networks[0].subnet: is required'],
    // legacy
    ['legacy ip_address without network_id', bp([lan()], [{ name: 'a', ip_address: '10.0.1.5' }]), 'vms[0].ip_address: needs network_id'],
    [
      'legacy ip_address outside the subnet',
      bp([lan()], [{ name: 'a', network_id: 'lan', ip_address: '10.0.9.5' }]),
      'vms[0].ip_address: 10.0.9.5 is not in network lan (10.0.1.0/24)',
    ],
    // exhaustion
    [
      'exhausting a /28 (auto from the first host address)',
      bp(
        [net('s', '10.0.9.0/28')],
        Array.from({ length: 14 }, (_, i) => host(`h${i}`, [{ network: 's' }])),
      ),
      'vms[13].interfaces[0]: no free address left in 10.0.9.0/28 (network s)',
    ],
    [
      'exhausting a /29 whose upper half is the DHCP pool',
      bp(
        [net('s', '10.0.9.0/29', { dhcp: true })],
        ['a', 'b', 'c', 'd'].map((n) => host(n, [{ network: 's' }])),
      ),
      'vms[3].interfaces[0]: no free address left in 10.0.9.0/29 (network s)',
    ],
    // runtimes and resources
    [
      'docker plugin without an image',
      bp([lan()], [onLan('a', { plugin: 'box' })], { plugins: { box: { runtime: 'docker' } } }),
      'vms[0].image: a docker host needs an image (on the host or its plugin)',
    ],
    [
      'memory below 4m',
      bp([lan()], [onLan('a', { resources: { memory: '1k' } })]),
      'vms[0].resources.memory: "1k" is not a size of at least 4m (e.g. 256m, 1g)',
    ],
    [
      'memory from a plugin is checked too',
      bp([lan()], [onLan('a', { plugin: 'p' })], { plugins: { p: { resources: { memory: '12 parsecs' } } } }),
      'vms[0].resources.memory: "12 parsecs" is not a size of at least 4m (e.g. 256m, 1g)',
    ],
    [
      'route from a network to itself',
      bp([lan()], [], { routes: [['lan', 'lan']] }),
      'routes[0]: a route joins two different networks, not lan to itself',
    ],
  ])('%s', (_rule, blueprint, want) => {
    const got = problemsOf(blueprint);
    expect(got, got.join('\n')).toContain(want);
  });

  it('checks the instance name as well as the blueprint name', () => {
    expect(() => resolveRange(loadRawRange('name: ok\n'), { instance: 'Not_OK' })).toThrow(
      'instance: "Not_OK" must match [a-z0-9-], 1..24 chars',
    );
  });

  it('does not call a network with a refused subnet unknown', () => {
    expect(problemsOf(bp([net('lan', '10.0.1.0/33')], [onLan('a')]))).toEqual([
      'networks[0].subnet: "10.0.1.0/33": prefix /33 is outside /8../31',
    ]);
  });

  it('reports duplicate host names once, not again as duplicate MACs', () => {
    expect(problemsOf(bp([lan()], [onLan('a'), onLan('a')]))).toEqual(['vms[1].name: duplicate host name "a" (also vms[0])']);
  });

  it('reports every problem of many hosts in one throw, in blueprint order', () => {
    const got = problemsOf(
      bp(
        [lan(), net('dmz', '10.0.2.0/24')],
        [
          onLan('a', {}, { ip: '10.0.1.1' }),
          host('b', [{ network: 'wan' }]),
          onLan('c', { network: { mode: 'vsock' } }),
          host('d', [{ network: 'dmz', ip: '10.0.3.5' }]),
        ],
      ),
    );
    expect(got).toEqual([
      'vms[0].interfaces[0].ip: 10.0.1.1 is the gateway of network lan (10.0.1.0/24)',
      'vms[1].interfaces[0].network: unknown network "wan" (defined: lan, dmz)',
      'vms[2].interfaces: vsock mode has no network interfaces; remove them or choose bridged/dhcp',
      'vms[3].interfaces[0].ip: 10.0.3.5 is not in network dmz (10.0.2.0/24)',
    ]);
  });
});

describe('more resolution', () => {
  const resolveBp = (b: unknown) => resolveRange(loadRawRange(stringify(b)));

  it.each([
    ['10.0.1.0/24', undefined, '10.0.1.1'],
    ['10.0.1.0/24', '10.0.1.254', '10.0.1.254'],
    ['172.16.0.0/12', undefined, '172.16.0.1'],
    ['10.0.9.0/30', undefined, '10.0.9.1'],
  ])('network %s with gateway %s uses %s', (subnet, gateway, want) => {
    const r = resolveBp(bp([net('n', subnet, gateway ? { gateway } : {})], [host('a', [{ network: 'n' }])]));
    expect(r.networks[0]?.gateway).toBe(want);
    expect(r.hosts[0]?.interfaces[0]?.gateway).toBe(want);
  });

  it.each<[string, object, object]>([
    ['bridged without an IP is auto-assigned', {}, { ip: '10.0.1.10', addressing: 'auto' }],
    ['bridged with an IP is static', { ip: '10.0.1.7' }, { ip: '10.0.1.7', addressing: 'static' }],
    ['explicit null IP is auto-assigned', { ip: null }, { ip: '10.0.1.10', addressing: 'auto' }],
  ])('%s', (_name, nic, want) => {
    const r = resolveBp(bp([lan()], [host('a', [{ network: 'lan', ...nic }])]));
    expect(r.hosts[0]?.interfaces[0]).toMatchObject({ ...want, prefix: 24, primary: true, ifname: 'eth0' });
    expect(r.hosts[0]?.network).toEqual({ mode: 'bridged', auto_assign: true });
  });

  it('gives a dhcp host no address and a vsock host no interfaces', () => {
    const r = resolveBp(
      bp(
        [net('lan', '10.0.1.0/24', { dhcp: true })],
        [onLan('d', { network: { mode: 'dhcp' } }), { name: 'v', network: { mode: 'vsock' } }],
      ),
    );
    expect(r.hosts[0]?.interfaces[0]).toMatchObject({ ip: null, addressing: 'dhcp' });
    expect(r.hosts[1]).toMatchObject({ network: { mode: 'vsock' }, interfaces: [] });
    expect(r.networks[0]?.dhcp).toEqual({ start: '10.0.1.128', end: '10.0.1.254', leaseSeconds: 3600 });
  });

  it('accepts a dhcp host without a pool on a network bridged onto a LAN', () => {
    const r = resolveBp(bp([net('lan', '10.0.1.0/24', { egress: 'bridge' })], [onLan('d', { network: { mode: 'dhcp' } })]));
    expect(r.hosts[0]?.interfaces[0]?.addressing).toBe('dhcp');
  });

  it.each([
    ['gateway in the upper half: the larger side below it', '10.0.1.200', { start: '10.0.1.128', end: '10.0.1.199' }],
    ['gateway high in the pool: the side below it', '10.0.1.254', { start: '10.0.1.128', end: '10.0.1.253' }],
    ['gateway at the pool start: the side above it', '10.0.1.128', { start: '10.0.1.129', end: '10.0.1.254' }],
    ['gateway below the pool: the whole upper half', '10.0.1.1', { start: '10.0.1.128', end: '10.0.1.254' }],
  ])('the default DHCP pool never holds the gateway (%s)', (_name, gateway, want) => {
    const r = resolveBp(bp([net('lan', '10.0.1.0/24', { gateway, dhcp: true })], []));
    expect(r.networks[0]?.dhcp).toMatchObject(want);
  });

  it('never hands out static IPs, reserved addresses or the pool, in any host order', () => {
    const r = resolveBp(
      bp(
        [net('lan', '10.0.1.0/24', { reserved: ['10.0.1.12-10.0.1.13', '10.0.1.15'], dhcp: { start: '10.0.1.17', end: '10.0.1.200' } })],
        [onLan('a1'), onLan('s1', {}, { ip: '10.0.1.10' }), onLan('a2'), onLan('s2', {}, { ip: '10.0.1.14' }), onLan('a3'), onLan('a4')],
      ),
    );
    expect(r.hosts.map((h) => `${h.name}=${h.interfaces[0]?.ip}`)).toEqual([
      'a1=10.0.1.11',
      's1=10.0.1.10',
      'a2=10.0.1.16',
      's2=10.0.1.14',
      'a3=10.0.1.201',
      'a4=10.0.1.202',
    ]);
    expect(r.networks[0]?.reserved).toEqual(['10.0.1.12-10.0.1.13', '10.0.1.15']);
  });

  it('allocates each network of a multi-homed host independently', () => {
    const r = resolveBp(bp([lan(), net('dmz', '10.0.2.0/24')], [host('fw', [{ network: 'lan' }, { network: 'dmz' }]), onLan('b')]));
    expect(r.hosts.map((h) => h.interfaces.map((n) => `${n.ifname}:${n.network}=${n.ip}${n.primary ? '*' : ''}`))).toEqual([
      ['eth0:lan=10.0.1.10*', 'eth1:dmz=10.0.2.10'],
      ['eth0:lan=10.0.1.11*'],
    ]);
  });

  it('gives each NIC a distinct MAC and peer, and keeps a given MAC', () => {
    const r = resolveBp(
      bp([lan(), net('dmz', '10.0.2.0/24')], [host('a', [{ network: 'lan', mac: '02:00:00:00:00:aa' }, { network: 'dmz' }]), onLan('b')]),
    );
    const nics = r.hosts.flatMap((h) => h.interfaces);
    expect(nics[0]?.mac).toBe('02:00:00:00:00:aa');
    expect(new Set(nics.map((n) => n.mac)).size).toBe(3);
    expect(new Set(nics.map((n) => n.peer)).size).toBe(3);
  });

  it('uses the instance name for MACs, so two deployments of one blueprint differ', () => {
    const b = stringify(bp([lan()], [onLan('a')]));
    const one = resolveRange(loadRawRange(b), { instance: 'one' });
    const two = resolveRange(loadRawRange(b), { instance: 'two' });
    expect(one.instance).toBe('one');
    expect(one.hosts[0]?.interfaces[0]?.ip).toBe(two.hosts[0]?.interfaces[0]?.ip);
    expect(one.hosts[0]?.interfaces[0]?.mac).not.toBe(two.hosts[0]?.interfaces[0]?.mac);
  });

  it.each<[string, object, object, object]>([
    [
      'runtime, image and command from the plugin',
      { runtime: 'docker', image: 'img:1', command: ['a', 'b'] },
      {},
      { runtime: 'docker', image: 'img:1', command: ['a', 'b'] },
    ],
    [
      'host runtime over the plugin, image kept',
      { runtime: 'docker', image: 'img:1' },
      { runtime: 'microvm' },
      { runtime: 'microvm', image: 'img:1' },
    ],
    ['host image over the plugin', { runtime: 'docker', image: 'img:1' }, { image: 'img:2' }, { runtime: 'docker', image: 'img:2' }],
    ['host command over the plugin', { command: ['a'] }, { command: ['b', 'c'] }, { command: ['b', 'c'] }],
    ['env merged key by key', { env: { A: '1', B: '2' } }, { env: { B: 'x', C: '3' } }, { env: { A: '1', B: 'x', C: '3' } }],
    [
      'resources merged field by field',
      { resources: { memory: '1g', cpus: 2 } },
      { resources: { cpus: 0.5 } },
      { resources: { memoryBytes: 1024 ** 3, cpus: 0.5 } },
    ],
    [
      'host memory over the plugin',
      { resources: { memory: '1g' } },
      { resources: { memory: 268435456 } },
      { resources: { memoryBytes: 256 * 1024 ** 2, cpus: null } },
    ],
    [
      'plugin network mode, host override',
      { network: { mode: 'dhcp' } },
      { network: { mode: 'bridged' } },
      { network: { mode: 'bridged', auto_assign: true } },
    ],
    [
      'netns runs sleep infinity by default',
      {},
      {},
      { runtime: 'netns', image: null, command: ['sleep', 'infinity'], env: {}, resources: { memoryBytes: null, cpus: null } },
    ],
    ['a docker host without a command keeps the image default', { runtime: 'docker', image: 'img:1' }, {}, { command: null }],
  ])('plugin inheritance: %s', (_name, plugin, hostFields, want) => {
    const r = resolveBp(
      bp([net('lan', '10.0.1.0/24', { dhcp: true })], [onLan('a', { plugin: 'p', ...hostFields })], { plugins: { p: plugin } }),
    );
    expect(r.hosts[0]).toMatchObject({ plugin: 'p', ...want });
  });
});
