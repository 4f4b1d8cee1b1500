import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './api-client.js';
import { CYRANGE, IS_ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

/**
 * POST /api/jobs/:id/cancel: a running deploy job stops, rolls back and ends failed saying who
 * cancelled it; only its owner or an admin may cancel it, and an ended job cannot be.
 */
const ADMIN = 'api-cancel-admin-token-0123456789';
const PORT = 22000 + Math.floor(Math.random() * 2000);
const { api, jobEvents } = apiClient(`http://127.0.0.1:${PORT}`);
const HOSTS = 12;

const blueprint = `name: cancel
networks:
  - { name: lan, subnet: 10.94.0.0/24 }
vms:
${Array.from({ length: HOSTS }, (_, i) => `  - { name: h${i}, command: [sleep, infinity], interfaces: [{ network: lan, ip: 10.94.0.${10 + i} }] }`).join('\n')}
`;

describe.skipIf(!IS_ROOT)('cancelling an API job', () => {
  const state = tempStateDir();
  const inst = uniqueName('cancel');
  let server: ChildProcess;
  let owner = '';
  let stranger = '';

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    expect(await waitFor(async () => (await fetch(`http://127.0.0.1:${PORT}/healthz`).catch(() => null))?.ok, 20_000, 200)).toBe(true);
    owner = (await api('POST', '/api/users', ADMIN, { name: 'owner', role: 'instructor' })).body.token;
    stranger = (await api('POST', '/api/users', ADMIN, { name: 'stranger', role: 'instructor' })).body.token;
    expect(owner && stranger).toBeTruthy();
  });

  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    state.cleanup();
  }, 120_000);

  it('the owner cancels a running deploy: it rolls back, ends failed with who cancelled it, and leaves nothing', async () => {
    const d = await api('POST', '/api/ranges', owner, { source: blueprint, name: inst });
    expect(d.status, JSON.stringify(d.body)).toBe(202);
    const id = d.body.job_id;
    // Cancelled mid-way: once the network is up, while the hosts come up.
    const started = await waitFor(
      async () =>
        (await api('GET', `/api/jobs/${id}`, owner)).body.events?.some(
          (e: { step?: string; status?: string }) => e.step === 'network' && e.status === 'done',
        ),
      30_000,
      20,
    );
    expect(started).toBe(true);

    const c = await api('POST', `/api/jobs/${id}/cancel`, owner);
    expect(c.status, JSON.stringify(c.body)).toBe(202);
    expect(c.body.id).toBe(id);
    // Someone who may not see the job does not learn of it.
    expect((await api('POST', `/api/jobs/${id}/cancel`, stranger)).status).toBe(404);

    const events = await jobEvents(id, owner);
    const end = events.find((e) => e.ev === 'end')?.data;
    expect(end.status).toBe('failed');
    expect(end.error.message).toMatch(new RegExp(`deploy of "${inst}" stopped at step \\S+: cancelled by owner; rolled back`));
    expect(events.some((e) => e.ev === 'step' && e.data.step === 'rollback' && e.data.status === 'done')).toBe(true);

    expect((await api('GET', `/api/ranges/${inst}`, owner)).status).toBe(404);
    const ns = (await runCmd(['ip', 'netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(`cyr_${inst}`));
    expect(ns).toEqual([]);
  }, 120_000);

  it('a student of the range may not cancel its job (403); a job that has ended cannot be cancelled (409)', async () => {
    const d = await api('POST', '/api/ranges', owner, { source: blueprint, name: inst });
    expect(d.status, JSON.stringify(d.body)).toBe(202);
    const end = (await jobEvents(d.body.job_id, owner)).find((e) => e.ev === 'end')?.data;
    expect(end.status).toBe('succeeded');
    // A student of the range sees its jobs but may not cancel them.
    const student = (await api('POST', '/api/users', owner, { name: 'stu', role: 'student' })).body.token;
    expect((await api('POST', `/api/ranges/${inst}/assignments`, owner, { user: 'stu' })).status).toBe(204);
    expect((await api('GET', `/api/jobs/${d.body.job_id}`, student)).status).toBe(200);
    const denied = await api('POST', `/api/jobs/${d.body.job_id}/cancel`, student);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('only they or an admin may cancel it');
    const c = await api('POST', `/api/jobs/${d.body.job_id}/cancel`, ADMIN);
    expect(c.status).toBe(409);
    expect(c.body.code).toBe('CYR_CONFLICT');
    expect(c.body.message).toContain('has already ended (succeeded)');
    expect((await api('GET', `/api/ranges/${inst}`, owner)).body.status).toBe('running');
  }, 120_000);

  it('an unknown job is 404', async () => {
    expect((await api('POST', '/api/jobs/00000000-0000-4000-8000-000000000000/cancel', ADMIN)).status).toBe(404);
  });
});
