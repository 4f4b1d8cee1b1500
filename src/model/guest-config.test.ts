import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CyrangeError } from './errors.js';
import { isCryptHash, renderIpArg, renderMetaData, renderMetaDataText, renderNetplan, renderUserData } from './guest-config.js';
import { loadRawRange } from './blueprint.js';
import { resolveRange } from './resolve.js';
import type { ResolvedHost, ResolvedRange } from './types.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const GOLDEN = resolve(import.meta.dirname, 'testdata/guest');
const raw = loadRawRange(readFileSync(join(EXAMPLES, 'firewall.yaml'), 'utf8'));
const corp = resolveRange(raw);
/** The same range with resolvers on wan. */
const withDns = resolveRange({ ...raw, networks: raw.networks.map((n) => (n.name === 'wan' ? { ...n, dns: ['10.0.0.53'] } : n)) });

function hostOf(range: ResolvedRange, name: string): ResolvedHost {
  const h = range.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`example changed: no host ${name}`);
  return h;
}

const fw = hostOf(corp, 'fw');
const web = hostOf(corp, 'web');
const ws1 = hostOf(corp, 'ws1');
const attacker = hostOf(withDns, 'attacker');
const vsock: ResolvedHost = { ...hostOf(corp, 'ws2'), name: 'probe', network: { mode: 'vsock' }, interfaces: [] };
const golden = (name: string) => join(GOLDEN, name);

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJxV0hY2tXoJ0b8Lq2FqJ3s9U6p0u1n6b0gXkq2y1H8e student@lab';
const HASH = '$6$rounds=5000$saltsalt$Jt8sQ0Ylq1V0a7mXr0J0bN0kY8sK6c5P3oN1Qw9hWZ2v1yQx5m4t7B0dF9gH2jL3kM6nP8qR1sT4uV7wX0yZ.';

describe('renderNetplan (golden files)', () => {
  it.each([
    ['fw: three static NICs, default route on eth0 only', corp, fw, 'fw.netplan.yaml'],
    ['web: auto-assigned address', corp, web, 'web.netplan.yaml'],
    ['ws1: dhcp', corp, ws1, 'ws1.netplan.yaml'],
    ['vsock host: no ethernets', corp, vsock, 'vsock.netplan.yaml'],
    ['attacker: the network lists dns', withDns, attacker, 'attacker-dns.netplan.yaml'],
  ] as const)('%s', async (_label, range, host, file) => {
    await expect(renderNetplan(range, host)).toMatchFileSnapshot(golden(file));
  });

  it('is valid netplan v2: MACs are strings, never gateway4', () => {
    const doc = parse(renderNetplan(corp, fw), { version: '1.1' }) as {
      network: { version: number; ethernets: Record<string, { match: { macaddress: unknown }; routes?: unknown[] }> };
    };
    expect(doc.network.version).toBe(2);
    expect(Object.keys(doc.network.ethernets)).toEqual(['eth0', 'eth1', 'eth2']);
    for (const [name, eth] of Object.entries(doc.network.ethernets)) {
      expect(typeof eth.match.macaddress).toBe('string');
      expect(eth.routes !== undefined).toBe(name === 'eth0');
    }
    expect(renderNetplan(corp, fw)).not.toContain('gateway4');
  });

  it('an all-digit MAC stays a string under YAML 1.1 readers', () => {
    const nic = { ...fw.interfaces[0], mac: '02:12:34:56:78:90' } as (typeof fw.interfaces)[number];
    const text = renderNetplan(corp, { ...fw, interfaces: [nic] });
    expect(text).toContain("macaddress: '02:12:34:56:78:90'");
  });

  it('falls back to opts.dns when the network lists none, and prefers the network list', () => {
    expect(renderNetplan(corp, web, { dns: ['9.9.9.9'] })).toContain('- 9.9.9.9');
    const text = renderNetplan(withDns, attacker, { dns: ['9.9.9.9'] });
    expect(text).toContain('- 10.0.0.53');
    expect(text).not.toContain('9.9.9.9');
  });
});

describe('renderIpArg', () => {
  it.each([
    ['fw', corp, fw, 'fw.ip-arg.txt'],
    ['web', corp, web, 'web.ip-arg.txt'],
    ['ws1', corp, ws1, 'ws1.ip-arg.txt'],
    ['attacker-dns', withDns, attacker, 'attacker-dns.ip-arg.txt'],
  ] as const)('%s (golden)', async (_label, range, host, file) => {
    await expect(`${renderIpArg(host, { range })}\n`).toMatchFileSnapshot(golden(file));
  });

  it('a vsock host renders as the empty string', () => {
    expect(renderIpArg(vsock)).toBe('');
  });

  it('every static ip= keeps all 9 fields, trailing empties included', () => {
    for (const [range, host] of [
      [corp, fw],
      [corp, web],
      [withDns, attacker],
      [withDns, hostOf(withDns, 'fw')],
    ] as const) {
      for (const arg of renderIpArg(host, { range }).split(' ')) {
        expect(arg.startsWith('ip=')).toBe(true);
        expect(arg.slice(3).split(':')).toHaveLength(9);
      }
    }
    expect(renderIpArg(web)).toBe('ip=10.0.2.10::10.0.2.1:255.255.255.0:web:eth0:off::');
  });

  it('dns comes from opts.dns when the range is not given or lists none', () => {
    expect(renderIpArg(web, { dns: ['1.1.1.1', '9.9.9.9', '8.8.8.8'] })).toBe(
      'ip=10.0.2.10::10.0.2.1:255.255.255.0:web:eth0:off:1.1.1.1:9.9.9.9',
    );
  });

  it('a dhcp NIC among several is ip=<device>:dhcp', () => {
    const [only] = ws1.interfaces;
    if (!only) throw new Error('example changed');
    const second = { ...only, primary: false, ifname: 'eth1' };
    const multi: ResolvedHost = { ...ws1, interfaces: [...web.interfaces, second] };
    expect(renderIpArg(multi)).toBe('ip=10.0.2.10::10.0.2.1:255.255.255.0:ws1:eth0:off:: ip=eth1:dhcp');
  });
});

describe('renderUserData', () => {
  it('renders users with keys, a hashed password and sudo (golden)', async () => {
    const text = renderUserData(web, {
      users: [
        { name: 'student', ssh_authorized_keys: [KEY], password_hash: HASH, sudo: true },
        { name: 'guest', ssh_authorized_keys: [KEY] },
      ],
    });
    expect(text.split('\n')[0]).toBe('#cloud-config');
    await expect(text).toMatchFileSnapshot(golden('web.user-data.yaml'));
    const doc = parse(text, { version: '1.1' }) as { hostname: string; users: Array<Record<string, unknown>> };
    expect(doc.hostname).toBe('web');
    expect(doc.users[0]).toMatchObject({ passwd: HASH, lock_passwd: false, sudo: 'ALL=(ALL) NOPASSWD:ALL', shell: '/bin/sh' });
    expect(doc.users[1]).not.toHaveProperty('lock_passwd');
    expect(doc.users[1]).not.toHaveProperty('passwd');
    expect(doc.users[1]).not.toHaveProperty('sudo');
  });

  it('the hostname can be overridden; no users means no users key', () => {
    expect(renderUserData(web, { hostname: 'www' })).toBe('#cloud-config\nhostname: www\n');
  });

  it.each(['hunter2', 'correct horse battery staple', '$6$', '$6$salt', '$6$ salt$hash', '{SSHA}abc'])(
    'refuses a plain-text password: %s',
    (pw) => {
      expect(() => renderUserData(web, { users: [{ name: 'student', password_hash: pw }] })).toThrowError(CyrangeError);
      try {
        renderUserData(web, { users: [{ name: 'student', password_hash: pw }] });
      } catch (e) {
        expect((e as CyrangeError).code).toBe('CYR_INVALID');
        expect((e as Error).message).not.toContain(pw.length > 4 ? pw : '\u0000');
      }
    },
  );

  it('accepts common crypt hashes', () => {
    expect(isCryptHash(HASH)).toBe(true);
    expect(isCryptHash('$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7')).toBe(true);
    expect(isCryptHash('$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW')).toBe(true);
  });

  it('refuses an invalid user name', () => {
    expect(() => renderUserData(web, { users: [{ name: 'Bad Name' }] })).toThrowError(/user name/);
  });
});

describe('renderMetaData', () => {
  it('gives instance-id, local-hostname and hostname', async () => {
    expect(renderMetaData(corp, fw)).toEqual({ 'instance-id': 'corp-fw', 'local-hostname': 'fw', hostname: 'fw' });
    await expect(renderMetaDataText(corp, fw)).toMatchFileSnapshot(golden('fw.meta-data.yaml'));
  });
});
