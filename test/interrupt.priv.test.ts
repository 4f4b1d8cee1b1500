import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CYRANGE, type CliResult, IS_ROOT, cli, runCmd, tempStateDir, uniqueName } from './helpers.js';

/**
 * Ctrl-C on a CLI command: the first SIGINT (or SIGTERM) stops the engine's work, which undoes what
 * it did; the command exits 128 + the signal's number. A second signal ends the process at once.
 */
const HOSTS = 12;

describe.skipIf(!IS_ROOT)('a signal stops a CLI command, which undoes its work', () => {
  const state = tempStateDir();
  const made: string[] = [];
  const file = join(state.dir, 'r.yaml');
  writeFileSync(
    file,
    `name: sig
networks:
  - { name: lan, subnet: 10.93.0.0/24 }
vms:
${Array.from({ length: HOSTS }, (_, i) => `  - { name: h${i}, command: [sleep, infinity], interfaces: [{ network: lan, ip: 10.93.0.${10 + i} }] }`).join('\n')}
`,
  );

  afterAll(async () => {
    for (const inst of made) await cli(['destroy', inst], { stateDir: state.dir });
    state.cleanup();
  }, 120_000);

  /** Starts a deploy, sends each signal once its stderr shows the pattern, and collects the outcome. */
  function interruptedDeploy(inst: string, plan: ReadonlyArray<readonly [RegExp, NodeJS.Signals]>): Promise<CliResult> {
    made.push(inst);
    return new Promise((resolve, reject) => {
      const c = spawn(CYRANGE, ['deploy', file, '--name', inst], {
        env: { ...process.env, CYRANGE_STATE_DIR: state.dir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let next = 0;
      c.stdout.on('data', (d) => {
        stdout += d;
      });
      c.stderr.on('data', (d) => {
        stderr += d;
        // One at a time: two signals sent together may arrive as one.
        const [when, sig] = plan[next] ?? [];
        if (when?.test(stderr) && sig) {
          next++;
          c.kill(sig);
        }
      });
      c.on('error', reject);
      c.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : -1), stdout, stderr }));
    });
  }

  /** Whether anything of `inst` is left in the kernel: its namespaces or its sandboxes. */
  async function leftovers(inst: string): Promise<string[]> {
    const ns = (await runCmd(['ip', 'netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(`cyr_${inst}`));
    const runc = existsSync('/run/cyrange/runc') ? readdirSync('/run/cyrange/runc').filter((d) => d.startsWith(`cyr_${inst}_`)) : [];
    return [...ns, ...runc];
  }

  it.each([
    ['the network is up', /network done/],
    ['hosts are starting', /host:h\d+ done/],
  ])('SIGINT once %s: the deploy rolls back, exits 130, and leaves nothing', async (_when, after) => {
    const inst = uniqueName('sigint');
    const r = await interruptedDeploy(inst, [[after, 'SIGINT']]);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGINT: stopping, and undoing what this command did');
    expect(r.stderr).toMatch(new RegExp(`deploy of "${inst}" stopped at step \\S+: interrupted by SIGINT; rolled back`));
    expect(r.stderr).toContain('rollback done');
    expect(r.stderr).not.toMatch(/^Error:|\n\s+at /);
    const ls = await cli(['ls', '--json'], { stateDir: state.dir });
    expect(JSON.parse(ls.stdout).map((x: { instance: string }) => x.instance)).not.toContain(inst);
    expect(await leftovers(inst)).toEqual([]);
  });

  it('SIGTERM does the same, with 143', async () => {
    const inst = uniqueName('sigterm');
    const r = await interruptedDeploy(inst, [[/network done/, 'SIGTERM']]);
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).toContain('interrupted by SIGTERM; rolled back');
    expect(await leftovers(inst)).toEqual([]);
  });

  it('a second SIGINT quits at once; the next deploy repairs what the first left', async () => {
    const inst = uniqueName('sigtwice');
    const r = await interruptedDeploy(inst, [
      [/network done/, 'SIGINT'],
      [/SIGINT: stopping/, 'SIGINT'],
    ]);
    expect(r.code).toBe(130);
    expect(r.stderr).not.toContain('rollback done');
    const again = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(again.code, again.stderr).toBe(0);
    const gone = await cli(['destroy', inst], { stateDir: state.dir });
    expect(gone.code, gone.stderr).toBe(0);
    expect(await leftovers(inst)).toEqual([]);
  });
});
