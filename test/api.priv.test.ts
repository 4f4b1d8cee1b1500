import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CYRANGE, IS_ROOT, ROOT, cli, tempStateDir, uniqueName, waitFor } from './helpers.js';

const ADMIN = 'test-admin-token-0123456789';
const PORT = 18000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;

interface Res {
  status: number;
  body: any;
}

async function api(method: string, path: string, token: string | null, body?: unknown, type = 'application/json'): Promise<Res> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = type;
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: r.status, body: parsed };
}

/** Follows a job's Server-Sent Events to the end; returns the step events and the end event. */
async function followJob(id: string, token: string): Promise<{ steps: any[]; end: any }> {
  const r = await fetch(`${BASE}/api/jobs/${id}/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
  const text = await r.text();
  const events = text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return { ev, data: data ? JSON.parse(data) : null };
    });
  return { steps: events.filter((e) => e.ev === 'step').map((e) => e.data), end: events.find((e) => e.ev === 'end')?.data };
}

describe.skipIf(!IS_ROOT)('REST API against a real server and store', () => {
  const state = tempStateDir();
  const inst = uniqueName('api');
  const cliInst = uniqueName('apicli');
  let server: ChildProcess;
  let instructor = '';
  let student = '';
  let other = '';
  let blueprintId = 0;

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    instructor = (await api('POST', '/api/users', ADMIN, { name: 'ins', role: 'instructor', password: 'instructor-pw' })).body.token;
    student = (await api('POST', '/api/users', instructor, { name: 'stu', role: 'student' })).body.token;
    other = (await api('POST', '/api/users', instructor, { name: 'stu2', role: 'student' })).body.token;
    expect(instructor && student && other).toBeTruthy();
  });

  afterAll(async () => {
    await api('DELETE', `/api/ranges/${inst}`, ADMIN).then(async (r) => r.body?.job_id && followJob(r.body.job_id, ADMIN));
    await cli(['destroy', inst], { stateDir: state.dir });
    await cli(['destroy', cliInst], { stateDir: state.dir });
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    state.cleanup();
  });

  it('serves OpenAPI 3, the docs page, /healthz and requires a token elsewhere', async () => {
    const doc = await api('GET', '/api/openapi.json', null);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/api/ranges/{name}/hosts');
    expect(doc.body.paths['/api/blueprints'].post.requestBody).toBeTruthy();
    expect((await fetch(`${BASE}/api/docs/`)).status).toBe(200);
    expect((await api('GET', '/api/ranges', null)).status).toBe(401);
    expect((await api('GET', '/api/ranges', 'cyr_not-a-token')).status).toBe(401);
  });

  it('refuses an invalid blueprint with the same per-field lines as the CLI, storing nothing', async () => {
    const file = join(ROOT, 'examples', 'invalid', 'bad-ip.yaml');
    const r = await api('POST', '/api/blueprints', instructor, readFileSync(file, 'utf8'), 'application/yaml');
    expect(r.status).toBe(422);
    const cliLines = (await cli(['validate', file], { stateDir: state.dir })).stderr
      .trim()
      .split('\n')
      .map((l) => l.slice(file.length + 2));
    expect(r.body.problems.map((p: { line: string }) => p.line)).toEqual(cliLines);
    expect((await api('GET', '/api/blueprints', instructor)).body).toEqual([]);
  });

  it('logs in with a password and returns a working token', async () => {
    const r = await api('POST', '/api/login', null, { username: 'ins', password: 'instructor-pw' });
    expect(r.status).toBe(200);
    expect((await api('GET', '/api/me', r.body.token)).body.name).toBe('ins');
    expect((await api('POST', '/api/login', null, { username: 'ins', password: 'wrong' })).status).toBe(401);
  });

  it('deploys a blueprint as a job with one SSE event per step', async () => {
    const bp = await api(
      'POST',
      '/api/blueprints',
      instructor,
      readFileSync(join(ROOT, 'examples', 'two-tier.yaml'), 'utf8'),
      'application/yaml',
    );
    expect(bp.status).toBe(201);
    blueprintId = bp.body.id;
    expect((await api('GET', `/api/blueprints/${blueprintId}/export`, instructor)).body).toContain('name: two-tier');
    const d = await api('POST', '/api/ranges', instructor, { blueprint_id: blueprintId, name: inst });
    expect(d.status).toBe(202);
    const { steps, end } = await followJob(d.body.job_id, instructor);
    expect(end.status).toBe('succeeded');
    const done = steps.filter((s) => s.status === 'done').map((s) => s.step);
    expect(done).toEqual(expect.arrayContaining(['network', 'hosts:create', 'hosts:wire', 'host:web', 'host:db', 'host:client']));
    const job = await api('GET', `/api/jobs/${d.body.job_id}`, instructor);
    expect(job.body.status).toBe('succeeded');
    const r = await api('GET', `/api/ranges/${inst}`, instructor);
    expect(r.body.status).toBe('running');
    expect(r.body.hosts.find((h: { name: string }) => h.name === 'web').state).toBe('running');
  });

  it('creates hosts with several NICs, auto and static, and answers with networks[] plus the deprecated primary fields', async () => {
    const r = await api('POST', `/api/ranges/${inst}/hosts`, instructor, {
      name: 'multi',
      networks: [
        { network_id: 'lan', ip_address: null },
        { network_id: 'dmz', ip_address: '10.0.2.50' },
      ],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.networks).toEqual([
      expect.objectContaining({ network_id: 'lan', network_name: 'lan', ip_address: '10.0.1.11', subnet: '10.0.1.0/24', is_primary: true }),
      expect.objectContaining({
        network_id: 'dmz',
        network_name: 'dmz',
        ip_address: '10.0.2.50',
        subnet: '10.0.2.0/24',
        is_primary: false,
      }),
    ]);
    expect(r.body.network_id).toBe('lan');
    expect(r.body.ip_address).toBe('10.0.1.11');
    // It is built at once on the running range.
    const live = await api('GET', `/api/ranges/${inst}`, instructor);
    expect(live.body.hosts.find((h: { name: string }) => h.name === 'multi').state).toBe('running');
  });

  it('accepts the legacy single-NIC body as one primary NIC', async () => {
    const r = await api('POST', `/api/ranges/${inst}/hosts`, instructor, { name: 'legacy', network_id: 'dmz', ip_address: '10.0.2.77' });
    expect(r.status).toBe(201);
    expect(r.body.networks).toEqual([expect.objectContaining({ network_id: 'dmz', ip_address: '10.0.2.77', is_primary: true })]);
  });

  it.each([
    [{ name: 'none', networks: [] }, 'networks', 'At least one network interface required'],
    [{ name: 'none2' }, 'networks', 'At least one network interface required'],
    [
      { name: 'out', networks: [{ network_id: 'lan', ip_address: '10.0.3.5' }] },
      'networks[0].ip_address',
      '10.0.3.5 is not in network lan (10.0.1.0/24)',
    ],
    [
      { name: 'dup', networks: [{ network_id: 'lan' }, { network_id: 'lan' }] },
      'networks[1].network_id',
      'network lan is already on this host',
    ],
    [{ name: 'taken', networks: [{ network_id: 'dmz', ip_address: '10.0.2.10' }] }, 'networks[0].ip_address', 'already used'],
    [{ name: 'nonet', networks: [{ network_id: 'wan' }] }, 'networks[0].network_id', 'unknown network "wan"'],
    [{ name: 'Bad Name', networks: [{ network_id: 'lan' }] }, 'name', 'must match'],
  ])('refuses host %j with 422 at %s and writes nothing', async (body, path, msg) => {
    const before = (await api('GET', `/api/ranges/${inst}/hosts`, instructor)).body.length;
    const r = await api('POST', `/api/ranges/${inst}/hosts`, instructor, body);
    expect(r.status).toBe(422);
    const p = r.body.problems.find((x: { path: string }) => x.path === path);
    expect(p?.message ?? JSON.stringify(r.body)).toContain(msg);
    expect((await api('GET', `/api/ranges/${inst}/hosts`, instructor)).body.length).toBe(before);
  });

  it('adds and removes a NIC on a running host; the primary cannot be removed', async () => {
    const add = await api('POST', `/api/ranges/${inst}/hosts/client/interfaces`, instructor, { network_id: 'dmz' });
    expect(add.status).toBe(201);
    expect(add.body.networks.map((n: { network_id: string }) => n.network_id)).toEqual(['lan', 'dmz']);
    expect((await api('DELETE', `/api/ranges/${inst}/hosts/client/interfaces/lan`, instructor)).status).toBe(409);
    const rm = await api('DELETE', `/api/ranges/${inst}/hosts/client/interfaces/dmz`, instructor);
    expect(rm.body.networks.map((n: { network_id: string }) => n.network_id)).toEqual(['lan']);
  });

  it('host actions stop and start a host', async () => {
    expect((await api('POST', `/api/ranges/${inst}/hosts/db/stop`, instructor)).status).toBe(200);
    expect((await api('GET', `/api/ranges/${inst}`, instructor)).body.hosts.find((h: { name: string }) => h.name === 'db').state).toBe(
      'stopped',
    );
    expect((await api('POST', `/api/ranges/${inst}/hosts/db/start`, instructor)).status).toBe(200);
  });

  it("carries a WebSocket to a host's VNC port through a relay in the range namespace", async () => {
    const add = await api('POST', `/api/ranges/${inst}/hosts`, instructor, {
      name: 'desk',
      command: ['busybox', 'httpd', '-f', '-p', '5900', '-h', '/tmp'],
      vnc_port: 5900,
      networks: [{ network_id: 'lan' }],
    });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
    expect(add.body.vnc_port).toBe(5900);
    // Any TCP service shows the data path; a web server answers a request sent through the socket.
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/desk/vnc?access_token=${instructor}`);
    let got = '';
    ws.on('message', (d) => {
      got += d.toString();
    });
    await new Promise((r, j) => ws.on('open', r).on('error', j));
    ws.send(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(await waitFor(() => got.startsWith('HTTP/1.'), 5000), got).toBe(true);
    ws.close();
    const none = new WebSocket(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/web/vnc?access_token=${instructor}`);
    const closed = await new Promise<number>((r) =>
      none.on('close', (code) => r(code)).on('unexpected-response', (_q, res) => r(res.statusCode ?? 0)),
    );
    expect(closed).toBe(1011);
  });

  it('walks every route as a student the range is not assigned to: 403 or 404 everywhere', async () => {
    const doc = (await api('GET', '/api/openapi.json', null)).body;
    const fill = (p: string) =>
      p.replace('{name}', inst).replace('{host}', 'web').replace('{id}', String(blueprintId)).replace('{network}', 'lan');
    const checked: string[] = [];
    for (const [path, methods] of Object.entries<Record<string, unknown>>(doc.paths)) {
      const scoped = /\{(name|id)\}/.test(path);
      for (const method of Object.keys(methods)) {
        if (!scoped) continue;
        const body =
          method === 'get' || method === 'delete'
            ? undefined
            : { name: 'x', network_id: 'lan', networks: [{ network_id: 'lan' }], user: 'stu', source: 'name: x' };
        const r = await api(method.toUpperCase(), fill(path), student, body);
        expect([403, 404], `${method.toUpperCase()} ${path} -> ${r.status}`).toContain(r.status);
        checked.push(`${method} ${path}`);
      }
    }
    expect(checked.length).toBeGreaterThan(15);
    // Lists do not leak the range either, and the console refuses the upgrade.
    expect((await api('GET', '/api/ranges', student)).body).toEqual([]);
    expect((await api('GET', '/api/blueprints', student)).status).toBe(403);
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/web/console?access_token=${student}`);
    const code = await new Promise((r) => ws.on('unexpected-response', (_q, res) => r(res.statusCode)).on('open', () => r(101)));
    expect(code).toBe(404);
  });

  it('once assigned, a student reads the range and opens a console, but cannot change it', async () => {
    expect((await api('POST', `/api/ranges/${inst}/assignments`, instructor, { user: 'stu' })).status).toBe(204);
    expect((await api('GET', '/api/ranges', student)).body.map((r: { name: string }) => r.name)).toEqual([inst]);
    expect((await api('GET', `/api/ranges/${inst}`, student)).status).toBe(200);
    expect((await api('DELETE', `/api/ranges/${inst}`, student)).status).toBe(403);
    expect((await api('POST', `/api/ranges/${inst}/hosts/web/stop`, student)).status).toBe(403);
    // The other student still sees nothing.
    expect((await api('GET', `/api/ranges/${inst}`, other)).status).toBe(404);
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/web/console?access_token=${student}&cols=120&rows=30`);
    let out = '';
    ws.on('message', (d) => {
      out += d.toString();
    });
    await new Promise((r, j) => ws.on('open', r).on('error', j));
    ws.send(JSON.stringify({ t: 'i', d: 'ip -4 addr show dev eth0\r' }));
    expect(await waitFor(() => out.includes('10.0.2.10/24'), 5000)).toBe(true);
    ws.close();
  });

  it("shares one store with the CLI: each sees the other's ranges", async () => {
    const ls = JSON.parse((await cli(['ls', '--json'], { stateDir: state.dir })).stdout);
    expect(ls.map((r: { instance: string }) => r.instance)).toContain(inst);
    expect((await cli(['deploy', join(ROOT, 'examples', 'two-tier.yaml'), '--name', cliInst], { stateDir: state.dir })).code).toBe(0);
    const list = (await api('GET', '/api/ranges', ADMIN)).body.map((r: { name: string }) => r.name);
    expect(list).toEqual(expect.arrayContaining([inst, cliInst]));
  });

  it('exposes Prometheus metrics', async () => {
    const r = await fetch(`${BASE}/metrics`);
    const text = await r.text();
    expect(text).toMatch(/cyrange_ranges\{status="running"\} [1-9]/);
    expect(text).toMatch(/cyrange_job_duration_seconds_count\{op="deploy"\} 1/);
    // The VNC test sent traffic through host desk's NIC.
    expect(text).toMatch(new RegExp(`cyrange_nic_rx_bytes_total\\{range="${inst}",host="desk",network="lan"\\} [1-9]`));
  });

  it('destroys through a job', async () => {
    const d = await api('DELETE', `/api/ranges/${inst}`, instructor);
    expect(d.status).toBe(202);
    const { end } = await followJob(d.body.job_id, instructor);
    expect(end.status).toBe('succeeded');
    expect((await api('GET', `/api/ranges/${inst}`, instructor)).status).toBe(404);
  });
});
