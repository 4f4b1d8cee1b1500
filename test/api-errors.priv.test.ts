// A second deploy answers the same through the API and the CLI; serve and the CLI log what they should.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner, buildServer } from '../src/api/index.js';
import { Engine, configFromEnv } from '../src/engine/index.js';
import { type Store, bootstrapAdmin, openStore } from '../src/store/index.js';
import { createLogger, setRootLogger } from '../src/sys/index.js';
import { IS_ROOT, ROOT, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const TOKEN = 'api-errors-admin-token-0123456789';
/** The compiled CLI to run (its dist/); CYRANGE_TEST_DIST points at a side build. */
const DIST = join(ROOT, process.env.CYRANGE_TEST_DIST ?? 'dist');

const blueprint = (opts: { subnet?: string; extra?: boolean } = {}) =>
  [
    'name: twice',
    'networks:',
    `  - { name: lan, subnet: ${opts.subnet ?? '10.77.0.0/24'} }`,
    'vms:',
    '  - { name: a, command: [sleep, infinity], interfaces: [{ network: lan }] }',
    ...(opts.extra ? ['  - { name: b, command: [sleep, infinity], interfaces: [{ network: lan }] }'] : []),
    '',
  ].join('\n');

describe.skipIf(!IS_ROOT)('a second deploy through the API and the CLI', () => {
  const state = tempStateDir();
  const viaCli = uniqueName('2cli');
  const viaApi = uniqueName('2api');
  const logLines: Array<Record<string, unknown>> = [];
  let store: Store;
  let app: FastifyInstance;

  const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) =>
    runCmd(['node', join(DIST, 'cli', 'main.js'), ...args], {
      env: { ...process.env, CYRANGE_LOG: '', ...env, CYRANGE_STATE_DIR: state.dir },
    });
  const file = (name: string, text: string) => {
    const p = join(state.dir, `${name}.yaml`);
    writeFileSync(p, text);
    return p;
  };
  const post = (source: string, name: string) =>
    app.inject({ method: 'POST', url: '/api/ranges', headers: { authorization: `Bearer ${TOKEN}` }, payload: { source, name } });
  /** The job's record once it ended. */
  const finished = async (id: string) => {
    const get = async () =>
      (await app.inject({ method: 'GET', url: `/api/jobs/${id}`, headers: { authorization: `Bearer ${TOKEN}` } })).json();
    return waitFor(async () => {
      const j = await get();
      return j.status === 'running' ? null : j;
    }, 60_000);
  };
  /** A diff without the instance names in it, to compare two instances' changes. */
  const plain = (changes: unknown, instance: string) => JSON.parse(JSON.stringify(changes).replaceAll(instance, 'INSTANCE'));

  beforeAll(async () => {
    // serve's one logger, captured: its lines are what `serve` writes to stderr.
    const dest = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(l));
        done();
      },
    });
    setRootLogger(createLogger('debug', dest));
    store = await openStore({ stateDir: state.dir });
    await bootstrapAdmin(store.access, TOKEN);
    const jobs = new JobRunner();
    const engine = new Engine(store, { ...configFromEnv(), stateDir: state.dir }, { onEvent: (e) => jobs.dispatch(e) });
    app = await buildServer({ engine, jobs, webRoot: null, logger: true, metricsIntervalMs: 3_600_000 });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    setRootLogger(null);
    for (const inst of [viaCli, viaApi]) await cli(['destroy', inst]);
    state.cleanup();
  });

  it('the first deploys: one through each; the CLI prints no log lines by default', async () => {
    const r = await cli(['deploy', file('a', blueprint()), '--name', viaCli]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/"msg":/);
    const d = await post(blueprint(), viaApi);
    expect(d.statusCode, d.body).toBe(202);
    expect((await finished(d.json().job_id)).status).toBe('succeeded');
  });

  it('an identical blueprint is a repair that changes nothing, through both and onto either instance', async () => {
    const again = await cli(['deploy', file('a', blueprint()), '--name', viaCli, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const cliRes = JSON.parse(again.stdout);
    expect(cliRes).toMatchObject({ changed: false, changes: [] });
    // The API onto the CLI's instance and onto its own: the same answer, no 409.
    for (const inst of [viaCli, viaApi]) {
      const d = await post(blueprint(), inst);
      expect(d.statusCode, d.body).toBe(202);
      const job = await finished(d.json().job_id);
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      expect(job.result).toMatchObject({ instance: inst, changed: cliRes.changed, changes: cliRes.changes, rebuilt: false });
    }
  });

  it('a changed blueprint gets the same diff applied in place through both', async () => {
    const c = await cli(['deploy', file('b', blueprint({ extra: true })), '--name', viaCli, '--json']);
    expect(c.code, c.stderr).toBe(0);
    const cliRes = JSON.parse(c.stdout);
    expect(cliRes.changes.length).toBeGreaterThan(0);
    const d = await post(blueprint({ extra: true }), viaApi);
    expect(d.statusCode, d.body).toBe(202);
    const job = await finished(d.json().job_id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(plain(job.result.changes, viaApi)).toEqual(plain(cliRes.changes, viaCli));
    expect(job.result.rebuilt).toBe(cliRes.rebuilt);
  });

  it('a change that cannot be made in place is refused at the same fields by both, and nothing changes', async () => {
    const moved = blueprint({ subnet: '10.78.0.0/24', extra: true });
    const c = await cli(['deploy', file('c', moved), '--name', viaCli]);
    expect(c.code).toBe(2);
    const d = await post(moved, viaApi);
    expect(d.statusCode, d.body).toBe(422);
    const body = d.json();
    expect(body.code).toBe('CYR_INVALID');
    const cliPaths = c.stderr
      .trim()
      .split('\n')
      .map((l) => l.replace(/^[^:]*\.yaml: /, '').split(':')[0]);
    expect(body.problems.map((p: { path: string }) => p.path)).toEqual(cliPaths);
    expect(body.message).toContain('replace');
    const still = (
      await app.inject({ method: 'GET', url: `/api/ranges/${viaApi}/networks`, headers: { authorization: `Bearer ${TOKEN}` } })
    ).json();
    expect(JSON.stringify(still)).toContain('10.77.0.0/24');
  });

  it("serve logs each job's steps with their duration, on child loggers carrying range, host, step and job", async () => {
    const steps = logLines.filter((l) => l.msg === 'step done' && l.range === viaApi);
    expect(steps.length).toBeGreaterThan(0);
    for (const s of steps) {
      expect(typeof s.job).toBe('string');
      expect(typeof s.step).toBe('string');
      expect(typeof s.ms).toBe('number');
    }
    expect(steps.find((s) => s.step === 'host:a')).toMatchObject({ host: 'a' });
    // Kernel commands run for a job, at debug level, carry the job's range and id.
    const execs = logLines.filter((l) => l.msg === 'exec' && l.range === viaApi);
    expect(execs.some((l) => Array.isArray(l.argv) && l.argv[0] === 'ip' && typeof l.job === 'string')).toBe(true);
    // ... and the step they run in.
    expect(execs.some((l) => l.step === 'network')).toBe(true);
    // Request lines name the range a route works on.
    expect(logLines.find((l) => l.msg === 'request' && l.path === `/api/ranges/${viaApi}/networks`)).toMatchObject({
      range: viaApi,
      status: 200,
    });
  });

  it('CYRANGE_LOG=debug makes the CLI print each kernel command with its argv, on stderr only', async () => {
    const r = await cli(['destroy', viaCli], { CYRANGE_LOG: 'debug' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`destroyed ${viaCli}\n`);
    const lines = r.stderr
      .split('\n')
      // Progress lines stay as they are; log lines are JSON.
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; level: number; argv?: string[]; code?: number; batch?: string[] });
    const execs = lines.filter((l) => l.msg === 'exec');
    expect(execs.length).toBeGreaterThan(0);
    expect(execs.every((l) => l.level === 20 && Array.isArray(l.argv))).toBe(true);
    // runc deletes the instance's sandbox; ip's batch (its commands come on stdin) removes its namespaces.
    expect(execs.some((l) => l.argv?.[0] === 'runc' && l.argv.some((a) => a.includes(viaCli)))).toBe(true);
    expect(execs.some((l) => l.argv?.[0] === 'ip' && l.batch?.some((c) => c.includes(viaCli)))).toBe(true);
  });
});
