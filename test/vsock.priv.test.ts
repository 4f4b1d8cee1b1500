import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, runCmd, tempStateDir, uniqueName } from './helpers.js';

const BLUEPRINT = `name: vs
networks:
  - { name: lan, subnet: 10.0.1.0/24 }
vms:
  - { name: iso, network: { mode: vsock } }
  - { name: n1, interfaces: [{ network: lan, ip: 10.0.1.50 }] }
  - { name: n2, interfaces: [{ network: lan }] }
`;

async function links(netns: string): Promise<string[]> {
  return (JSON.parse((await runCmd(['ip', '-n', netns, '-json', 'link', 'show'])).stdout) as Array<{ ifname: string }>).map(
    (l) => l.ifname,
  );
}

describe.skipIf(!IS_ROOT)('vsock-mode hosts: no network, a host-local control channel', () => {
  const state = tempStateDir();
  const inst = uniqueName('vs');

  beforeAll(async () => {
    const file = join(state.dir, 'vs.yaml');
    writeFileSync(file, BLUEPRINT);
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    state.cleanup();
  });

  it('a vsock host has only lo', async () => {
    expect(await links(`cyr_${inst}_iso`)).toEqual(['lo']);
  });

  it('exec reaches it over its unix socket, with stdin, output and exit code', async () => {
    const r = await cli(['exec', inst, 'iso', '--', 'sh', '-c', 'cat; ls /sys/class/net; exit 3'], {
      stateDir: state.dir,
      input: 'over the socket\n',
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('over the socket');
    expect(r.stdout.trim().endsWith('lo')).toBe(true);
  });

  it('moving a bridged host to vsock releases its NICs and leases; store and kernel agree', async () => {
    const plan = JSON.parse((await cli(['inspect', inst, '--json'], { stateDir: state.dir })).stdout);
    const peer = plan.hosts.find((h: { name: string }) => h.name === 'n1').interfaces[0];
    expect(peer.ip).toBe('10.0.1.50');
    const r = await cli(['host', 'vsock', inst, 'n1'], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await links(`cyr_${inst}_n1`)).toEqual(['lo']);
    const after = JSON.parse((await cli(['inspect', inst, '--json'], { stateDir: state.dir })).stdout);
    const n1 = after.hosts.find((h: { name: string }) => h.name === 'n1');
    expect(n1).toMatchObject({ mode: 'vsock', state: 'running', interfaces: [] });
    // The range side has no port for it any more.
    const rangeLinks = (
      JSON.parse((await runCmd(['ip', '-n', `cyr_${inst}`, '-json', 'link', 'show'])).stdout) as Array<{ ifalias?: string }>
    ).map((l) => l.ifalias ?? '');
    expect(rangeLinks.filter((a) => a.startsWith(`cyrange:${inst}:n1:`))).toEqual([]);
    // A vsock host takes no NIC.
    const add = await cli(['nic', 'add', inst, 'iso', 'lan', '--ip', '10.0.1.50'], { stateDir: state.dir });
    expect(add.code).toBe(2);
    expect(add.stderr).toContain('vsock mode');
    expect((await cli(['exec', inst, 'n1', '--', 'true'], { stateDir: state.dir })).code).toBe(0);
  });
});
