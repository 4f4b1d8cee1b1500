import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, IS_ROOT, cli, inNs, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const SERVER = '198.51.100.1';

describe.skipIf(!IS_ROOT)('NAT egress through a stand-in internet namespace', () => {
  const state = tempStateDir();
  const inet = uniqueName('inet');
  const inst = uniqueName('nat');
  let serverPid = 0;
  const env = () => ({ CYRANGE_NAT_UPLINK_NETNS: inet, CYRANGE_UPLINK_POOL: '100.64.0.0/24' });

  beforeAll(async () => {
    // The "internet": a namespace of the test's own with a web server that echoes the client address.
    await runCmd(['ip', 'netns', 'add', inet]);
    await runCmd(['ip', '-n', inet, 'link', 'set', 'lo', 'up']);
    await runCmd(['ip', '-n', inet, 'addr', 'add', `${SERVER}/32`, 'dev', 'lo']);
    const www = join(state.dir, 'www');
    mkdirSync(join(www, 'cgi-bin'), { recursive: true });
    writeFileSync(join(www, 'cgi-bin', 'ip'), '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%s\\n" "$REMOTE_ADDR"\n', {
      mode: 0o755,
    });
    const { spawn } = await import('node:child_process');
    const srv = spawn('nsenter', [`--net=/run/netns/${inet}`, '--', 'busybox', 'httpd', '-f', '-p', `${SERVER}:8080`, '-h', www], {
      stdio: 'ignore',
    });
    serverPid = srv.pid ?? 0;
    const file = join(state.dir, 'nat.yaml');
    writeFileSync(
      file,
      [
        'name: nat',
        'networks:',
        '  - { name: out, subnet: 10.50.0.0/24, egress: nat }',
        '  - { name: iso, subnet: 10.51.0.0/24 }',
        'vms:',
        '  - { name: client, interfaces: [{ network: out }] }',
        '  - { name: shut, interfaces: [{ network: iso }] }',
      ].join('\n'),
    );
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir, env: env() });
    expect(r.code, r.stderr).toBe(0);
  });

  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir, env: env() });
    const left = JSON.parse((await runCmd(['ip', '-n', inet, '-json', 'link', 'show'])).stdout) as Array<{ ifalias?: string }>;
    if (serverPid) process.kill(serverPid, 'SIGKILL');
    await runCmd(['ip', 'netns', 'del', inet]);
    state.cleanup();
    // destroy takes the uplink's far end out of the internet namespace too
    expect(left.filter((l) => l.ifalias?.startsWith(`cyrange:${inst}:`))).toEqual([]);
  });

  const fetchFrom = (host: string): Promise<CliResult> =>
    inNs(`cyr_${inst}_${host}`, ['timeout', '3', 'busybox', 'wget', '-q', '-O', '-', `http://${SERVER}:8080/cgi-bin/ip`]);

  it('a host on a nat network reaches the server, which sees the range uplink address', async () => {
    const r = await waitFor(async () => {
      const x = await fetchFrom('client');
      return x.code === 0 ? x : null;
    }, 5000);
    expect(r?.stdout.trim()).toBe('100.64.0.2');
  });

  it('a host on a network without egress has no way out', async () => {
    expect((await fetchFrom('shut')).code).not.toBe(0);
  });

  it('the uplink far end in the internet namespace carries the instance tag', async () => {
    const links = JSON.parse((await runCmd(['ip', '-n', inet, '-json', 'link', 'show'])).stdout) as Array<{
      ifname: string;
      ifalias?: string;
    }>;
    expect(links.some((l) => l.ifalias?.startsWith(`cyrange:${inst}:`))).toBe(true);
  });
});
