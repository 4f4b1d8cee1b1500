import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, inNs, tempStateDir, uniqueName } from './helpers.js';

const MD = 'http://169.254.169.254';

describe.skipIf(!IS_ROOT)('metadata service on 169.254.169.254 inside each range', () => {
  const state = tempStateDir();
  const inst = uniqueName('md');
  const ns = (h: string) => `cyr_${inst}_${h}`;
  const get = (host: string, path: string, headers: string[] = []) =>
    inNs(ns(host), ['curl', '-s', '-m', '3', '-w', '\n%{http_code}', ...headers.flatMap((h) => ['-H', h]), `${MD}${path}`]);
  const body = (r: { stdout: string }) => r.stdout.slice(0, r.stdout.lastIndexOf('\n'));
  const status = (r: { stdout: string }) => r.stdout.slice(r.stdout.lastIndexOf('\n') + 1);

  beforeAll(async () => {
    const file = join(state.dir, 'md.yaml');
    writeFileSync(
      file,
      [
        'name: md',
        'networks:',
        '  - { name: lan, subnet: 10.0.1.0/24, dns: [10.0.1.53] }',
        '  - { name: dmz, subnet: 10.0.2.0/24 }',
        'vms:',
        '  - { name: alpha, interfaces: [{ network: lan }, { network: dmz, ip: 10.0.2.20 }] }',
        '  - { name: beta, interfaces: [{ network: dmz }] }',
      ].join('\n'),
    );
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    state.cleanup();
  });

  it('each host gets its own meta-data', async () => {
    expect(body(await get('alpha', '/latest/meta-data/local-hostname'))).toBe('alpha');
    expect(body(await get('beta', '/latest/meta-data/local-hostname'))).toBe('beta');
    expect(body(await get('beta', '/latest/meta-data/instance-id'))).toBe(`${inst}-beta`);
  });

  it("network-config is the host's own netplan, matched by MAC", async () => {
    const plan = JSON.parse((await cli(['plan', join(state.dir, 'md.yaml'), '--name', inst, '--json'], { stateDir: state.dir })).stdout);
    const alpha = plan.hosts.find((h: { name: string }) => h.name === 'alpha');
    const nc = body(await get('alpha', '/latest/network-config'));
    expect(nc).toContain('version: 2');
    for (const nic of alpha.interfaces) {
      expect(nc).toContain(nic.mac);
      expect(nc).toContain(`${nic.ip}/24`);
    }
    expect(nc).toContain('10.0.1.53');
    expect(body(await get('beta', '/latest/network-config'))).not.toContain(alpha.interfaces[0].mac);
  });

  it('user-data is cloud-config for the host', async () => {
    const ud = body(await get('beta', '/latest/user-data'));
    expect(ud.startsWith('#cloud-config')).toBe(true);
    expect(ud).toContain('hostname: beta');
  });

  it('supports the token flow: PUT /latest/api/token, then the token in a header', async () => {
    const t = await inNs(ns('beta'), [
      'curl',
      '-s',
      '-m',
      '3',
      '-X',
      'PUT',
      '-H',
      'X-metadata-token-ttl-seconds: 60',
      `${MD}/latest/api/token`,
    ]);
    expect(t.stdout).toMatch(/^[0-9a-f]{32}$/);
    const ok = await get('beta', '/latest/meta-data/local-hostname', [`X-metadata-token: ${t.stdout}`]);
    expect(status(ok)).toBe('200');
    expect(status(await get('beta', '/latest/meta-data/local-hostname', ['X-metadata-token: 0123456789abcdef0123456789abcdef']))).toBe(
      '401',
    );
    // A token is bound to the host that asked for it.
    expect(status(await get('alpha', '/latest/meta-data/local-hostname', [`X-metadata-token: ${t.stdout}`]))).toBe('401');
  });

  it('cyrange render prints the same truth in each guest format', async () => {
    const ip = await cli(['render', inst, 'alpha', '--format', 'ip-arg'], { stateDir: state.dir });
    expect(ip.code, ip.stderr).toBe(0);
    expect(ip.stdout).toContain('ip=10.0.1.10::10.0.1.1:255.255.255.0:alpha:eth0:off:10.0.1.53:');
    expect(ip.stdout).toContain('ip=10.0.2.20:::255.255.255.0:alpha:eth1:off');
    const np = await cli(['render', inst, 'alpha', '--format', 'netplan'], { stateDir: state.dir });
    expect(np.stdout.trim()).toBe(body(await get('alpha', '/latest/network-config')).trim());
    const bad = await cli(['render', inst, 'alpha', '--format', 'user-data', '--user', 'op', '--password-hash', 'plaintext'], {
      stateDir: state.dir,
    });
    expect(bad.code).toBe(2);
  });

  it('unknown paths answer 404', async () => {
    expect(status(await get('beta', '/latest/nope'))).toBe('404');
  });
});
