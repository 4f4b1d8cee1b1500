import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYRANGE, IS_ROOT, cli, tempStateDir, uniqueName, waitFor } from './helpers.js';
import { apiClient } from './api-client.js';

const ADMIN = 'test-admin-token-admission-0123';
const PORT = 20000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const { api } = apiClient(BASE);

function blueprint(name: string, host: string, net = ''): string {
  return `name: ${name}\nnetworks:\n  - { name: lan, subnet: 10.61.0.0/24${net} }\nvms:\n  - { name: h, ${host}interfaces: [{ network: lan }] }\n`;
}

/** Each field that reaches the machine, as an instructor would send it: refused at its path, nothing created. */
const REFUSED = [
  ['sandbox: none', 'sandbox: none, ', '', 'vms[0].sandbox: only an admin may run a host unsandboxed'],
  ['a host rootfs', 'rootfs: /, ', '', 'vms[0].rootfs: only an admin may name a host path'],
  ['a host disk', 'runtime: microvm, microvm: { disk: /etc/shadow }, ', '', 'vms[0].microvm.disk: only an admin may name a host path'],
  ['a host bridge', '', ', egress: bridge, host_bridge: docker0', 'networks[0].host_bridge: docker0 is not a host bridge the admin allows'],
] as const;

describe.skipIf(!IS_ROOT)('admission: what each actor may put in a blueprint, through the API and the CLI', () => {
  const state = tempStateDir();
  let server: ChildProcess;
  let instructor = '';
  const bare = uniqueName('bare');

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    instructor = (await api('POST', '/api/users', ADMIN, { name: 'ins', role: 'instructor', password: 'instructor-pw' })).body.token;
    expect(instructor).toBeTruthy();
  });

  afterAll(async () => {
    await cli(['destroy', bare], { stateDir: state.dir });
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    state.cleanup();
  });

  it.each(REFUSED)('an instructor deploying %s gets 422 at the field, and no range', async (_what, host, net, message) => {
    const name = uniqueName('adm');
    const r = await api('POST', '/api/ranges', instructor, { source: blueprint('adm', host, net), name });
    expect(r.status).toBe(422);
    expect(JSON.stringify(r.body)).toContain(message);
    expect((await api('GET', `/api/ranges/${name}`, ADMIN)).status).toBe(404);
    // Storing such a blueprint is refused the same way.
    const b = await api('POST', '/api/blueprints', instructor, { source: blueprint('adm', host, net) });
    expect(b.status).toBe(422);
  });

  it.each(REFUSED)('validate --as instructor refuses %s with exit 2; as root it passes admission', async (_what, host, net, message) => {
    const file = join(state.dir, 'adm.yaml');
    writeFileSync(file, blueprint('adm', host, net));
    const r = await cli(['validate', file, '--as', 'instructor'], { stateDir: state.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: ${message}`);
    expect((await cli(['validate', file], { stateDir: state.dir })).code).toBe(0);
  });

  it('an instructor adding an unsandboxed host to their range gets 422 and the range keeps its hosts', async () => {
    const name = uniqueName('addh');
    const ok = await api('POST', '/api/ranges', instructor, { source: blueprint('addh', ''), name });
    expect(ok.status).toBe(202);
    try {
      expect(await waitFor(async () => (await api('GET', `/api/ranges/${name}`, instructor)).body?.status === 'running', 30_000)).toBe(
        true,
      );
      const refused = await api('POST', `/api/ranges/${name}/hosts`, instructor, {
        name: 'x',
        sandbox: 'none',
        networks: [{ network_id: 'lan' }],
      });
      expect(refused.status).toBe(422);
      expect(JSON.stringify(refused.body)).toContain('only an admin may run a host unsandboxed');
      const hosts = await api('GET', `/api/ranges/${name}/hosts`, instructor);
      expect(hosts.body.map((h: { name: string }) => h.name)).toEqual(['h']);
    } finally {
      await api('DELETE', `/api/ranges/${name}`, instructor);
      await waitFor(async () => (await api('GET', `/api/ranges/${name}`, ADMIN)).status === 404, 30_000);
    }
  });

  it('an admin (the local root CLI) may run a host unsandboxed: it sees the machine', async () => {
    const file = join(state.dir, 'bare.yaml');
    writeFileSync(file, blueprint('bare', 'sandbox: none, '));
    const d = await cli(['deploy', file, '--name', bare], { stateDir: state.dir });
    expect(d.code, d.stderr).toBe(0);
    const r = await cli(['exec', bare, 'h', '--', 'test', '-d', state.dir], { stateDir: state.dir });
    expect(r.code).toBe(0);
  });
});
