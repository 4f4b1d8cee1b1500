import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, tempStateDir, uniqueName } from './helpers.js';

const BLUEPRINT = `name: sb
resources: { memory: 512m, cpus: 1.5 }
networks:
  - { name: lan, subnet: 10.62.0.0/24 }
vms:
  - { name: a, resources: { memory: 96m, cpus: 0.5 }, interfaces: [{ network: lan }] }
  - { name: b, interfaces: [{ network: lan }] }
`;

const cg = (ctrl: string, path: string, file: string) => readFileSync(`/sys/fs/cgroup/${ctrl}${path}/${file}`, 'utf8').trim();

describe.skipIf(!IS_ROOT)('sandboxed netns hosts: upper layers, limits, lifecycle', () => {
  const state = tempStateDir();
  const inst = uniqueName('sb');
  const exec = (host: string, script: string) => cli(['exec', inst, host, '--', 'sh', '-c', script], { stateDir: state.dir });

  beforeAll(async () => {
    const file = join(state.dir, 'sb.yaml');
    writeFileSync(file, BLUEPRINT);
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    state.cleanup();
  });

  it("a host's resources are cgroup limits under the range, and the range has its own cap", () => {
    expect(cg('memory', `/cyrange/${inst}/a`, 'memory.limit_in_bytes')).toBe(String(96 * 2 ** 20));
    expect(cg('cpu', `/cyrange/${inst}/a`, 'cpu.cfs_quota_us')).toBe('50000');
    expect(Number(cg('pids', `/cyrange/${inst}/a`, 'pids.max'))).toBeGreaterThan(0);
    expect(cg('memory', `/cyrange/${inst}`, 'memory.limit_in_bytes')).toBe(String(512 * 2 ** 20));
    expect(cg('cpu', `/cyrange/${inst}`, 'cpu.cfs_quota_us')).toBe('150000');
  });

  it("PID 1 is tini running the command; the host name is the host's", async () => {
    const r = await exec('a', 'cat /proc/1/cmdline | tr "\\0" " "; echo; hostname');
    expect(r.stdout).toBe('/usr/bin/tini -- sleep infinity \na\n');
  });

  it('a file written in a host survives stop/start in its upper layer; another host never sees it', async () => {
    expect((await exec('a', 'echo kept > /root/marker')).code).toBe(0);
    expect(existsSync(join(state.dir, 'hosts', inst, 'a', 'upper', 'root', 'marker'))).toBe(true);
    expect((await cli(['host', 'stop', inst, 'a'], { stateDir: state.dir })).code).toBe(0);
    expect((await cli(['host', 'start', inst, 'a'], { stateDir: state.dir })).code).toBe(0);
    expect((await exec('a', 'cat /root/marker')).stdout).toBe('kept\n');
    expect((await exec('b', 'test -e /root/marker')).code).toBe(1);
  });

  it('the shared base image is never written', async () => {
    expect((await exec('a', 'echo x > /etc/written-in-a')).code).toBe(0);
    expect(existsSync('/var/lib/cyrange/images/rootfs/debian-base/root/etc/written-in-a')).toBe(false);
  });

  it('destroy removes the upper layers, the sandboxes and the cgroups', async () => {
    expect((await cli(['destroy', inst], { stateDir: state.dir })).code).toBe(0);
    expect(existsSync(join(state.dir, 'hosts', inst))).toBe(false);
    expect(existsSync(`/sys/fs/cgroup/memory/cyrange/${inst}`)).toBe(false);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`cyrange:${inst}:`);
  });
});
