import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cli, tempStateDir } from './helpers.js';

const EX = join(ROOT, 'examples');
const state = tempStateDir();
afterAll(() => state.cleanup());
const run = (...args: string[]) => cli(args, { stateDir: state.dir });

describe('cyrange validate / plan (no privileges needed)', () => {
  it.each(readdirSync(EX).filter((f) => /\.(ya?ml|json)$/.test(f)))('validate %s exits 0', async (f) => {
    const r = await run('validate', join(EX, f));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('valid');
  });

  it.each(readdirSync(join(EX, 'invalid')))('validate invalid/%s exits 2 with located problems', async (f) => {
    const file = join(EX, 'invalid', f);
    const r = await run('validate', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    for (const line of r.stderr.trim().split('\n')) expect(line.startsWith(`${file}: `)).toBe(true);
  });

  it('prints every problem of a file, one line each, with field paths', async () => {
    const r = await run('validate', join(EX, 'invalid', 'bad-ip.yaml'));
    expect(r.stderr).toContain('vms[2].interfaces[1].ip: 10.0.3.5 is not in network dmz (10.0.2.0/24)');
    expect(r.stderr).toContain('vms[0].interfaces[0].ip: 10.0.1.1 is the gateway of network lan (10.0.1.0/24)');
    expect(r.stderr).toContain('vms[2].interfaces[0].ip: 10.0.1.5 is already used in network lan (10.0.1.0/24)');
  });

  it('a missing file is invalid input too (exit 2, names the file)', async () => {
    const r = await run('validate', join(EX, 'nope.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.yaml: cannot read file: ENOENT');
  });

  it('plan shows each interface with network, IP, MAC, names and mode', async () => {
    const r = await run('plan', join(EX, 'firewall.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fw\s+netns\s+bridged\s+eth1\s+lan\s+10\.0\.1\.2\/24 \(static\)\s+02:[0-9a-f:]{14}\s+v[0-9a-f]{12}/);
    expect(r.stdout).toMatch(/web\s+netns\s+bridged\s+eth0\*\s+dmz\s+10\.0\.2\.10\/24 \(auto\)/);
    expect(r.stdout).toMatch(/ws1\s+netns\s+dhcp\s+eth0\*\s+lan\s+dhcp/);
  });

  it('plan --json is the resolved range; --name changes the instance and the MACs', async () => {
    const a = JSON.parse((await run('plan', join(EX, 'firewall.yaml'), '--json')).stdout);
    const b = JSON.parse((await run('plan', join(EX, 'firewall.yaml'), '--json', '--name', 'other')).stdout);
    expect(a.instance).toBe('corp');
    expect(b.instance).toBe('other');
    expect(a.hosts[0].interfaces[0].ip).toBe(b.hosts[0].interfaces[0].ip);
    expect(a.hosts[0].interfaces[0].mac).not.toBe(b.hosts[0].interfaces[0].mac);
  });

  it('an unknown command or option exits 2', async () => {
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('plan', '--bogus')).code).toBe(2);
  });
});

describe('cyrange vm create --dry-run (standalone host from seed-style flags; test/vm.priv.test.ts runs them)', () => {
  it('resolves a bridged host with an auto-assigned address, creating nothing', async () => {
    const r = await run(
      'vm',
      'create',
      'solo',
      '--network-mode',
      'bridged',
      '--network-subnet',
      '10.9.0.0/24',
      '--network-auto-assign',
      '--dry-run',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: 'solo',
      network: { mode: 'bridged', subnet: '10.9.0.0/24', auto_assign: true },
      interfaces: [{ ip: '10.9.0.10', gateway: '10.9.0.1' }],
    });
    const ls = JSON.parse((await run('ls', '--json')).stdout);
    expect(ls).not.toContainEqual(expect.objectContaining({ instance: 'solo' }));
  });

  it('resolves a vsock host with no NIC', async () => {
    const r = await run('vm', 'create', 'isolated', '--network-mode', 'vsock', '--dry-run', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ network: { mode: 'vsock' }, interfaces: [] });
  });

  it.each([
    [['--network-mode', 'bridged'], '--network-subnet: is required in bridged mode'],
    [['--network-subnet', '10.9.0.0/24', '--network-gateway', '10.8.0.1'], 'networks[0].gateway: 10.8.0.1 is not in 10.9.0.0/24'],
    [['--network-subnet', '10.9.0.0/24', '--ip', '10.9.0.0'], 'vms[0].interfaces[0].ip: 10.9.0.0 is the network address'],
    [
      ['--network-mode', 'dhcp', '--network-subnet', '10.9.0.0/24', '--ip', '10.9.0.5'],
      'a static IP (10.9.0.5) is not allowed in dhcp mode',
    ],
    [['--network-subnet', '10.9.0.0/24', '--network-auto-assign', 'false'], 'no IP given and network.auto_assign is false'],
    [['--network-mode', 'wifi'], "argument 'wifi' is invalid"],
  ])('refuses %j with exit 2', async (flags, msg) => {
    const r = await run('vm', 'create', 'bad', '--dry-run', ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(msg);
  });
});

describe('an unexpected error is one line naming the command and its object, never a raw Error or a stack', () => {
  // A state directory that is a file: the store cannot open, with a plain Node error underneath.
  const notADir = join(state.dir, 'not-a-dir');
  it.each([
    [['ls'], 'ls'],
    [['inspect', 'corp'], 'inspect corp'],
    [['nic', 'add', 'corp', 'web', 'lan'], 'nic add corp web lan'],
  ])('%j', async (args, named) => {
    writeFileSync(notADir, '');
    const r = await cli(args, { stateDir: notADir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${named}: EEXIST: file already exists, mkdir '${notADir}'\nhint: unexpected: run it again with CYRANGE_DEBUG=1 to see where it came from\n`,
    );
  });

  it('CYRANGE_DEBUG=1 adds where it came from', async () => {
    writeFileSync(notADir, '');
    const r = await cli(['ls'], { stateDir: notADir, env: { CYRANGE_DEBUG: '1' } });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(`error: ls: EEXIST: file already exists, mkdir '${notADir}'`);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});
