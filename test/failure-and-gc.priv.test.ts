import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CYRANGE, IS_ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

function bigRange(name: string, hosts: number): string {
  const vms = Array.from({ length: hosts }, (_, i) => `  - { name: h${i}, interfaces: [{ network: n${i % 4} }] }`).join('\n');
  const nets = [0, 1, 2, 3].map((i) => `  - { name: n${i}, subnet: 10.${i}.0.0/24 }`).join('\n');
  return `name: ${name}\nnetworks:\n${nets}\nvms:\n${vms}\n`;
}

function owned(instance: string): string[] {
  return readdirSync('/run/netns').filter((n) => n === `cyr_${instance}` || n.startsWith(`cyr_${instance}_`));
}

/** What a sandbox leaves when its cleanup has a hole: runc state, overlay mounts, cgroups. */
async function sandboxLeftovers(instance: string): Promise<string[]> {
  const runc = (await runCmd(['runc', '--root', '/run/cyrange/runc', 'list', '-q'])).stdout.split('\n');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  return [
    ...runc.filter((id) => id.startsWith(`cyr_${instance}_`)).map((id) => `runc ${id}`),
    ...mounts.filter((l) => l.includes(` - overlay cyrange:${instance}:`)).map((l) => `mount ${l.split(' ')[4]}`),
    ...['memory', 'pids', 'cpu'].filter((c) => existsSync(`/sys/fs/cgroup/${c}/cyrange/${instance}`)).map((c) => `cgroup ${c}`),
  ];
}

describe.skipIf(!IS_ROOT)('rollback, crash and gc', () => {
  const state = tempStateDir();
  afterAll(() => state.cleanup());

  it('an injected failure mid-deploy rolls back to nothing and names the failing step', async () => {
    const inst = uniqueName('rollback');
    const file = join(state.dir, 'rb.yaml');
    writeFileSync(file, bigRange('rb', 8));
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir, env: { CYRANGE_TEST_FAIL_AT: 'host:h5' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed at step host:h5');
    expect(owned(inst)).toEqual([]);
    expect(await sandboxLeftovers(inst)).toEqual([]);
    expect(existsSync(join(state.dir, 'run', inst))).toBe(false);
    const ls = JSON.parse((await cli(['ls', '--json'], { stateDir: state.dir })).stdout) as Array<{ instance: string }>;
    expect(ls.map((x) => x.instance)).not.toContain(inst);
  });

  it('a host command that does not exist fails the deploy and rolls back', async () => {
    const inst = uniqueName('badcmd');
    const file = join(state.dir, 'bad.yaml');
    writeFileSync(
      file,
      'name: bad\nnetworks: [{ name: lan, subnet: 10.9.0.0/24 }]\nvms:\n  - { name: ok, interfaces: [{ network: lan }] }\n  - { name: broken, command: [no-such-program-xyz], interfaces: [{ network: lan }] }\n',
    );
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('command "no-such-program-xyz" not found');
    expect(owned(inst)).toEqual([]);
  });

  it('gc cleans everything after the deploying process is SIGKILLed mid-deploy', async () => {
    const inst = uniqueName('crash');
    const file = join(state.dir, 'crash.yaml');
    writeFileSync(file, bigRange('crash', 40));
    const child = spawn(CYRANGE, ['deploy', file, '--name', inst], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_CONCURRENCY: '1' },
      stdio: 'ignore',
    });
    // Kill it once hosts are being set up: the range exists, some hosts run, others don't yet.
    const started = await waitFor(() => existsSync(join(state.dir, 'run', inst, 'h3.pid')), 20_000, 5);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(started).toBe(true);
    expect(owned(inst).length).toBeGreaterThan(0);
    expect((await sandboxLeftovers(inst)).length).toBeGreaterThan(0);
    const gc = await cli(['gc', '--json'], { stateDir: state.dir });
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.stdout).removed).toContain(inst);
    expect(owned(inst)).toEqual([]);
    expect(await sandboxLeftovers(inst)).toEqual([]);
    // Upper layers go with the instance.
    expect(existsSync(join(state.dir, 'hosts', inst))).toBe(false);
    const procs = await runCmd(['pgrep', '-f', `cyr_${inst}`]);
    expect(procs.stdout.trim()).toBe('');
    const ls = JSON.parse((await cli(['ls', '--json'], { stateDir: state.dir })).stdout) as Array<{ instance: string }>;
    expect(ls.map((x) => x.instance)).not.toContain(inst);
  });

  it('gc leaves running instances alone and removes ones the store forgot', async () => {
    const keep = uniqueName('keep');
    const file = join(state.dir, 'small.yaml');
    writeFileSync(file, bigRange('small', 2));
    expect((await cli(['deploy', file, '--name', keep], { stateDir: state.dir })).code).toBe(0);
    // A second store on the same machine knows nothing of `keep`'s sibling below.
    const other = tempStateDir();
    const orphan = uniqueName('orphan');
    let gc: { removed: string[]; kept: string[] };
    try {
      expect((await cli(['deploy', file, '--name', orphan], { stateDir: other.dir })).code).toBe(0);
      // That store's database is lost; its hosts' sandboxes (mounted under its directory) are found by their tags.
      for (const f of readdirSync(other.dir)) if (f.startsWith('cyrange.db')) rmSync(join(other.dir, f));
      gc = JSON.parse((await cli(['gc', '--json'], { stateDir: state.dir })).stdout);
    } finally {
      other.cleanup();
    }
    expect(gc.removed).toContain(orphan);
    expect(gc.kept).toContain(keep);
    expect(owned(orphan)).toEqual([]);
    expect(owned(keep).length).toBe(3);
    expect((await cli(['destroy', keep], { stateDir: state.dir })).code).toBe(0);
  });

  it('gc never touches a range that another live store on the machine owns', async () => {
    const other = tempStateDir();
    const theirs = uniqueName('theirs');
    const file = join(state.dir, 'small.yaml');
    writeFileSync(file, bigRange('small', 2));
    try {
      expect((await cli(['deploy', file, '--name', theirs], { stateDir: other.dir })).code).toBe(0);
      const gc = JSON.parse((await cli(['gc', '--json'], { stateDir: state.dir })).stdout);
      expect(gc.kept).toContain(theirs);
      expect(owned(theirs).length).toBe(3);
      const clash = await cli(['deploy', file, '--name', theirs], { stateDir: state.dir });
      expect(clash.code).toBe(1);
      expect(clash.stderr).toContain('belongs to another Cyrange store');
    } finally {
      await cli(['destroy', theirs], { stateDir: other.dir });
      other.cleanup();
    }
    expect(owned(theirs)).toEqual([]);
  });

  it('destroying an instance that never deployed succeeds', async () => {
    const r = await cli(['destroy', uniqueName('never')], { stateDir: state.dir });
    expect(r.code).toBe(0);
  });
});
