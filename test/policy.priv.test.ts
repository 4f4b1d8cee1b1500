import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, inNs, pings, runCmd, tempStateDir, uniqueName } from './helpers.js';

const BLUEPRINT = `name: pol
networks:
  - { name: lan, subnet: 10.0.1.0/24 }
  - { name: dmz, subnet: 10.0.2.0/24 }
routes: [[lan, dmz]]
policies:
  - { host: web, direction: ingress, protocol: tcp, port: 80, action: allow, priority: 10 }
  - { host: web, direction: ingress, protocol: icmp, peer: 10.0.1.10, action: allow, priority: 20 }
  - { host: web, direction: ingress, action: deny, priority: 100 }
vms:
  - { name: web, command: [busybox, httpd, -f, -p, "80", -h, /tmp], interfaces: [{ network: dmz }] }
  - { name: a, interfaces: [{ network: lan }] }
  - { name: b, interfaces: [{ network: lan }] }
  - { name: c, interfaces: [{ network: dmz }] }
`;

describe.skipIf(!IS_ROOT)('policies and anti-spoofing in the range bridge table', () => {
  const state = tempStateDir();
  const inst = uniqueName('pol');
  const ns = (h: string) => `cyr_${inst}_${h}`;
  const http = async (from: string) =>
    (await inNs(ns(from), ['socat', '-T', '1', '/dev/null', 'TCP:10.0.2.10:80,connect-timeout=1'])).code === 0;

  beforeAll(async () => {
    const file = join(state.dir, 'pol.yaml');
    writeFileSync(file, BLUEPRINT);
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    state.cleanup();
  });

  it.each([
    ['a', true, 'icmp allowed from 10.0.1.10 (routed)'],
    ['b', false, 'icmp denied from other lan hosts (routed)'],
    ['c', false, 'icmp denied on the same bridge too'],
  ])('ping from %s to web: %s (%s)', async (from, ok) => {
    expect(await pings(ns(from), '10.0.2.10')).toBe(ok);
  });

  it.each(['a', 'b', 'c'])('tcp/80 to web is allowed from %s', async (from) => {
    expect(await http(from)).toBe(true);
  });

  it('web still gets answers to what it starts itself', async () => {
    expect(await pings(ns('web'), '10.0.1.11')).toBe(true);
  });

  it('check measures the matrix and finds it matches the policy', async () => {
    const r = await cli(['check', inst, '--ports', '80,22', '--json'], { stateDir: state.dir });
    const out = JSON.parse(r.stdout);
    expect(out.mismatches, JSON.stringify(out.cells.filter((c: { expected: boolean; reached: boolean }) => c.expected !== c.reached))).toBe(
      0,
    );
    const cell = (from: string, probe: string) =>
      out.cells.find((c: { from: string; to: string; probe: string }) => c.from === from && c.to === 'web' && c.probe === probe);
    expect(cell('b', 'icmp')).toMatchObject({ expected: false, reached: false });
    expect(cell('b', 'tcp/22')).toMatchObject({ expected: false, reached: false });
    expect(cell('b', 'tcp/80')).toMatchObject({ expected: true, reached: true });
    expect(r.code).toBe(0);
  });

  it('policies change on the running range without a redeploy', async () => {
    const file = join(state.dir, 'open.yaml');
    writeFileSync(file, 'policies:\n  - { host: web, direction: ingress, protocol: tcp, port: 80, action: deny }\n');
    const r = await cli(['policy', 'set', inst, file], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await pings(ns('b'), '10.0.2.10')).toBe(true);
    expect(await http('b')).toBe(false);
    const ls = JSON.parse((await cli(['policy', 'ls', inst, '--json'], { stateDir: state.dir })).stdout);
    expect(ls).toHaveLength(1);
    const bad = join(state.dir, 'bad.yaml');
    writeFileSync(bad, '- { host: nope, direction: ingress, action: deny }\n');
    const refused = await cli(['policy', 'set', inst, bad], { stateDir: state.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('policies[0].host: unknown host "nope"');
  });

  it('a NIC may not send from another IP: a spoofed source reaches nobody, the real one still works', async () => {
    await runCmd(['ip', '-n', ns('b'), 'addr', 'add', '10.0.1.99/24', 'dev', 'eth0']);
    try {
      expect((await inNs(ns('b'), ['ping', '-c', '1', '-W', '1', '-I', '10.0.1.99', '10.0.1.10'])).code).not.toBe(0);
      expect((await inNs(ns('b'), ['ping', '-c', '1', '-W', '1', '-I', '10.0.1.11', '10.0.1.10'])).code).toBe(0);
    } finally {
      await runCmd(['ip', '-n', ns('b'), 'addr', 'del', '10.0.1.99/24', 'dev', 'eth0']);
    }
  });

  it('a NIC may not send from another MAC', async () => {
    const link = JSON.parse((await runCmd(['ip', '-n', ns('b'), '-json', 'link', 'show', 'eth0'])).stdout)[0];
    await runCmd(['ip', '-n', ns('b'), 'link', 'set', 'eth0', 'address', '02:00:00:00:99:99']);
    try {
      await runCmd(['ip', '-n', ns('a'), 'neigh', 'flush', 'all']);
      expect(await pings(ns('b'), '10.0.1.10')).toBe(false);
    } finally {
      await runCmd(['ip', '-n', ns('b'), 'link', 'set', 'eth0', 'address', link.address]);
    }
    await runCmd(['ip', '-n', ns('a'), 'neigh', 'flush', 'all']);
    expect(await pings(ns('b'), '10.0.1.10')).toBe(true);
  });
});
