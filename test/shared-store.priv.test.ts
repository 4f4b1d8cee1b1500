import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, sseEvents } from './api-client.js';
import { CYRANGE, IS_ROOT, cli, inNs, pings, tempStateDir, uniqueName, waitFor } from './helpers.js';
import { ON_PG } from './store-backend.js';

/**
 * A server and the CLI, two processes, share one store: SQLite in the state directory, or with
 * CYRANGE_TEST_DB=postgres a PostgreSQL schema of this file's own (test/store-setup.ts). What one
 * of them makes, the other sees, changes and removes: ranges, NICs and users.
 */
const ADMIN = 'shared-store-admin-token-0123456789';
const PORT = 20000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const { api } = apiClient(BASE);

const blueprint = (name: string, third: number) => `name: ${name}
networks:
  - { name: lan, subnet: 10.${third}.0.0/24 }
  - { name: dmz, subnet: 10.${third}.1.0/24 }
vms:
  - name: a
    command: [sleep, infinity]
    interfaces: [{ network: lan, ip: 10.${third}.0.10 }, { network: dmz, ip: 10.${third}.1.10 }]
  - name: b
    command: [sleep, infinity]
    interfaces: [{ network: lan, ip: 10.${third}.0.11 }]
`;

describe.skipIf(!IS_ROOT)(`a server and the CLI share one store (${ON_PG ? 'PostgreSQL' : 'SQLite'})`, () => {
  const state = tempStateDir();
  const byCli = uniqueName('shcli');
  const byApi = uniqueName('shapi');
  const run = (args: string[], input?: string) => cli(args, { stateDir: state.dir, ...(input ? { input } : {}) });
  let server: ChildProcess;

  /** Follows a job to its end event. */
  async function finished(jobId: string): Promise<{ status: string; error: unknown }> {
    const r = await fetch(`${BASE}/api/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${ADMIN}` } });
    return sseEvents(await r.text()).find((e) => e.ev === 'end')?.data;
  }

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 20_000, 200)).toBe(true);
  });

  afterAll(async () => {
    await run(['destroy', byCli]);
    await run(['destroy', byApi]);
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    state.cleanup();
  }, 120_000);

  it('a range the CLI deploys is in the API with its hosts, and a NIC the API adds is in the CLI and the kernel', async () => {
    const file = join(state.dir, 'cli.yaml');
    writeFileSync(file, blueprint('shcli', 81));
    const d = await run(['deploy', file, '--name', byCli]);
    expect(d.code, d.stderr).toBe(0);

    const listed = await api('GET', '/api/ranges', ADMIN);
    expect(listed.status).toBe(200);
    expect(listed.body.map((r: { name: string }) => r.name)).toContain(byCli);
    const one = await api('GET', `/api/ranges/${byCli}`, ADMIN);
    expect(one.status).toBe(200);
    expect(one.body.hosts.map((h: { name: string }) => h.name).sort()).toEqual(['a', 'b']);

    const add = await api('POST', `/api/ranges/${byCli}/hosts/b/interfaces`, ADMIN, { network_id: 'dmz', ip_address: '10.81.1.12' });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
    const inspect = await run(['inspect', byCli, '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const b = JSON.parse(inspect.stdout).hosts.find((h: { name: string }) => h.name === 'b');
    expect(b.interfaces.map((n: { ip: string }) => n.ip)).toContain('10.81.1.12');
    expect(await pings(`cyr_${byCli}_a`, '10.81.1.12')).toBe(true);
  }, 120_000);

  it('a range the API deploys is in the CLI, and the CLI destroys it for the API too', async () => {
    const d = await api('POST', '/api/ranges', ADMIN, { source: blueprint('shapi', 82), name: byApi });
    expect(d.status, JSON.stringify(d.body)).toBe(202);
    expect((await finished(d.body.job_id)).status).toBe('succeeded');

    const ls = await run(['ls', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(JSON.parse(ls.stdout).map((r: { instance: string }) => r.instance)).toContain(byApi);
    expect((await inNs(`cyr_${byApi}_a`, ['ping', '-c', '1', '-W', '1', '10.82.0.11'])).code).toBe(0);

    const gone = await run(['destroy', byApi]);
    expect(gone.code, gone.stderr).toBe(0);
    expect((await api('GET', `/api/ranges/${byApi}`, ADMIN)).status).toBe(404);
  }, 120_000);

  it('a user the CLI adds logs in to the server, and sees only the range assigned to them', async () => {
    const name = uniqueName('stu');
    const added = await run(['user', 'add', name, '--role', 'student']);
    expect(added.code, added.stderr).toBe(0);
    const token = added.stdout.trim();
    expect((await api('GET', '/api/ranges', token)).body).toEqual([]);
    const a = await run(['assign', byCli, name]);
    expect(a.code, a.stderr).toBe(0);
    const mine = await api('GET', '/api/ranges', token);
    expect(mine.status).toBe(200);
    expect(mine.body.map((r: { name: string }) => r.name)).toEqual([byCli]);
  });

  it('the store is the one this run chose: no SQLite file beside a PostgreSQL store', () => {
    expect(existsSync(join(state.dir, 'cyrange.db'))).toBe(!ON_PG);
  });
});
