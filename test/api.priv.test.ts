import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CYRANGE, IS_ROOT, ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';
import { type ApiResponse, apiClient, sseEvents } from './api-client.js';

const ADMIN = 'test-admin-token-0123456789';
const PORT = 18000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const { api, jobEvents } = apiClient(BASE);
type Res = Pick<ApiResponse, 'status' | 'body'>;

/** A single-use ticket for a WebSocket or SSE URL. */
async function ticketOf(token: string): Promise<string> {
  const r = await api('POST', '/api/tickets', token);
  expect(r.status).toBe(201);
  return r.body.ticket;
}

/** Follows a job's Server-Sent Events to the end; returns the step events and the end event. */
async function followJob(id: string, token: string): Promise<{ steps: any[]; end: any }> {
  const events = await jobEvents(id, token);
  return { steps: events.filter((e) => e.ev === 'step').map((e) => e.data), end: events.find((e) => e.ev === 'end')?.data };
}

/** A request from another client address on the loopback (127.0.0.2), timed. */
function fromOther(method: string, path: string, token: string | null, body?: unknown): Promise<Res & { ms: number; headers: any }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${BASE}${path}`,
      {
        method,
        localAddress: '127.0.0.2',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers, ms: performance.now() - t0 });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** The status a WebSocket upgrade gets: 101 when it opens. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => resolve(0));
  });
}

/** Metrics a token may read: the status and the text. */
async function metrics(token: string | null): Promise<{ status: number; text: string }> {
  const r = await fetch(`${BASE}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: r.status, text: await r.text() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A hidden host added to the two-tier blueprint: students of the range must never learn of it. */
const HIDDEN_HOST = `  - name: vault
    hidden: true
    command: [sleep, infinity]
    interfaces:
      - { network: lan, ip: 10.0.1.99 }
`;

describe.skipIf(!IS_ROOT)('REST API against a real server and store', () => {
  const state = tempStateDir();
  const inst = uniqueName('api');
  const cliInst = uniqueName('apicli');
  let server: ChildProcess;
  let instructor = '';
  let student = '';
  let other = '';
  let blueprintId = 0;
  let deployJob = '';
  /** Everything the server logged (CYRANGE_LOG=1): request lines must never carry a query string. */
  let logs = '';
  /** A ticket taken at the start and never used: it has expired by the time the ticket test runs. */
  let early = { ticket: '', at: 0 };

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: {
        ...process.env,
        CYRANGE_STATE_DIR: state.dir,
        CYRANGE_ADMIN_TOKEN: ADMIN,
        CYRANGE_LOG: '1',
        CYRANGE_METRICS_INTERVAL_MS: '1000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (d) => {
      logs += d;
    });
    server.stderr?.on('data', (d) => {
      logs += d;
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    instructor = (await api('POST', '/api/users', ADMIN, { name: 'ins', role: 'instructor', password: 'instructor-pw' })).body.token;
    student = (await api('POST', '/api/users', instructor, { name: 'stu', role: 'student' })).body.token;
    other = (await api('POST', '/api/users', instructor, { name: 'stu2', role: 'student' })).body.token;
    expect(instructor && student && other).toBeTruthy();
    early = { ticket: await ticketOf(ADMIN), at: Date.now() };
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
      `${readFileSync(join(ROOT, 'examples', 'two-tier.yaml'), 'utf8').trimEnd()}\n${HIDDEN_HOST}`,
      'application/yaml',
    );
    expect(bp.status).toBe(201);
    blueprintId = bp.body.id;
    expect((await api('GET', `/api/blueprints/${blueprintId}/export`, instructor)).body).toContain('name: two-tier');
    const d = await api('POST', '/api/ranges', instructor, { blueprint_id: blueprintId, name: inst });
    expect(d.status).toBe(202);
    deployJob = d.body.job_id;
    const { steps, end } = await followJob(d.body.job_id, instructor);
    expect(end.status).toBe('succeeded');
    const done = steps.filter((s) => s.status === 'done').map((s) => s.step);
    expect(done).toEqual(
      expect.arrayContaining(['network', 'hosts:create', 'hosts:wire', 'host:web', 'host:db', 'host:client', 'host:vault']),
    );
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
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/desk/vnc?ticket=${await ticketOf(instructor)}`);
    let got = '';
    ws.on('message', (d) => {
      got += d.toString();
    });
    await new Promise((r, j) => ws.on('open', r).on('error', j));
    ws.send(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(await waitFor(() => got.startsWith('HTTP/1.'), 5000), got).toBe(true);
    ws.close();
    const none = new WebSocket(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/web/vnc?ticket=${await ticketOf(instructor)}`);
    const closed = await new Promise<number>((r) =>
      none.on('close', (code) => r(code)).on('unexpected-response', (_q, res) => r(res.statusCode ?? 0)),
    );
    expect(closed).toBe(1011);
  });

  it('walks every route as a student the range is not assigned to: 403 or 404 everywhere', async () => {
    const doc = (await api('GET', '/api/openapi.json', null)).body;
    // Token 1 is the admin's: a student may not revoke it.
    const fill = (p: string) =>
      p
        .replace('{name}', inst)
        .replace('{host}', 'web')
        .replace('{id}', p.startsWith('/api/tokens') ? '1' : String(blueprintId))
        .replace('{network}', 'lan');
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
    const url = `ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/web/console`;
    expect(await upgradeStatus(`${url}?ticket=${await ticketOf(student)}`)).toBe(404);
    expect(await upgradeStatus(url, { authorization: `Bearer ${student}` })).toBe(404);
  });

  it('once assigned, a student reads the range and opens a console, but cannot change it', async () => {
    expect((await api('POST', `/api/ranges/${inst}/assignments`, instructor, { user: 'stu' })).status).toBe(204);
    expect((await api('GET', '/api/ranges', student)).body.map((r: { name: string }) => r.name)).toEqual([inst]);
    expect((await api('GET', `/api/ranges/${inst}`, student)).status).toBe(200);
    expect((await api('DELETE', `/api/ranges/${inst}`, student)).status).toBe(403);
    expect((await api('POST', `/api/ranges/${inst}/hosts/web/stop`, student)).status).toBe(403);
    // The other student still sees nothing.
    expect((await api('GET', `/api/ranges/${inst}`, other)).status).toBe(404);
    const ws = new WebSocket(
      `ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/web/console?ticket=${await ticketOf(student)}&cols=120&rows=30`,
    );
    let out = '';
    ws.on('message', (d) => {
      out += d.toString();
    });
    await new Promise((r, j) => ws.on('open', r).on('error', j));
    ws.send(JSON.stringify({ t: 'i', d: 'ip -4 addr show dev eth0\r' }));
    expect(await waitFor(() => out.includes('10.0.2.10/24'), 5000)).toBe(true);
    ws.close();
  });

  it('never shows a student a hidden host: range, list, hosts, host, console, job, events, stats, metrics', async () => {
    const names = (hosts: Array<{ name: string }>) => hosts.map((h) => h.name);
    // Those who manage the range see it.
    const full = await api('GET', `/api/ranges/${inst}`, instructor);
    expect(names(full.body.hosts)).toContain('vault');
    expect((await api('GET', `/api/ranges/${inst}/hosts/vault`, instructor)).status).toBe(200);
    // The student's range view: no trace of it, not even its address, and the count agrees.
    const seen = await api('GET', `/api/ranges/${inst}`, student);
    expect(names(seen.body.hosts)).toContain('web');
    expect(seen.body.host_count).toBe(seen.body.hosts.length);
    expect(seen.body.host_count).toBe(full.body.host_count - 1);
    expect(JSON.stringify(seen.body)).not.toMatch(/vault|10\.0\.1\.99/);
    const list = await api('GET', '/api/ranges', student);
    expect(list.body.find((r: { name: string }) => r.name === inst).host_count).toBe(seen.body.host_count);
    const hosts = await api('GET', `/api/ranges/${inst}/hosts`, student);
    expect(names(hosts.body)).toEqual(names(seen.body.hosts));
    expect(JSON.stringify(hosts.body)).not.toContain('vault');
    const one = await api('GET', `/api/ranges/${inst}/hosts/vault`, student);
    expect(one.status).toBe(404);
    expect(JSON.stringify(one.body)).not.toContain('10.0.1.99');
    expect(await upgradeStatus(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/vault/console?ticket=${await ticketOf(student)}`)).toBe(
      404,
    );
    expect(await upgradeStatus(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/vault/vnc`, { authorization: `Bearer ${student}` })).toBe(
      404,
    );
    // The deploy job: the student of the range reads it, without the hidden host's steps.
    const job = await api('GET', `/api/jobs/${deployJob}`, student);
    expect(job.status).toBe(200);
    expect(job.body.events.length).toBeGreaterThan(0);
    expect(JSON.stringify(job.body)).not.toContain('vault');
    expect(JSON.stringify((await api('GET', `/api/jobs/${deployJob}`, instructor)).body)).toContain('host:vault');
    expect((await api('GET', `/api/jobs/${deployJob}`, other)).status).toBe(404);
    const sse = await fetch(`${BASE}/api/jobs/${deployJob}/events?ticket=${await ticketOf(student)}`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(sse.status).toBe(200);
    const events = sseEvents(await sse.text());
    expect(events.some((e) => e.data?.step === 'host:web')).toBe(true);
    expect(events.some((e) => JSON.stringify(e.data).includes('vault'))).toBe(false);
    // Stats, from the background sample.
    const stats = await waitFor(async () => {
      const r = await api('GET', `/api/ranges/${inst}/stats`, instructor);
      return r.body.nics?.some((n: { host: string }) => n.host === 'vault') ? r : null;
    }, 10_000);
    expect(stats?.status).toBe(200);
    const mine = await api('GET', `/api/ranges/${inst}/stats`, student);
    expect(mine.status).toBe(200);
    const nicHosts = mine.body.nics.map((n: { host: string }) => n.host);
    expect(nicHosts).toContain('web');
    expect(nicHosts).not.toContain('vault');
    // Metrics: a metrics token of the student sees their range without the hidden host; the admin sees all.
    const made = await api('POST', '/api/tokens', ADMIN, { user: 'stu', scope: 'metrics', expires_in: 600 });
    expect(made.status).toBe(201);
    const theirs = await metrics(made.body.token);
    expect(theirs.status).toBe(200);
    expect(theirs.text).toContain(`host="web"`);
    expect(theirs.text).not.toContain('vault');
    expect(theirs.text).not.toContain(cliInst);
    expect((await metrics(ADMIN)).text).toContain('host="vault"');
    // A metrics token reads /metrics only.
    expect((await api('GET', '/api/me', made.body.token)).status).toBe(403);
  });

  it("shares one store with the CLI: each sees the other's ranges", async () => {
    const ls = JSON.parse((await cli(['ls', '--json'], { stateDir: state.dir })).stdout);
    expect(ls.map((r: { instance: string }) => r.instance)).toContain(inst);
    expect((await cli(['deploy', join(ROOT, 'examples', 'two-tier.yaml'), '--name', cliInst], { stateDir: state.dir })).code).toBe(0);
    const list = (await api('GET', '/api/ranges', ADMIN)).body.map((r: { name: string }) => r.name);
    expect(list).toEqual(expect.arrayContaining([inst, cliInst]));
  });

  it('serves metrics from background samples to admins and metrics tokens only; promtool accepts them', async () => {
    expect((await metrics(null)).status).toBe(401);
    expect((await metrics('cyr_not-a-token')).status).toBe(401);
    // API tokens of non-admins do not read metrics.
    expect((await metrics(instructor)).status).toBe(403);
    expect((await metrics(student)).status).toBe(403);
    // The VNC test sent traffic through host desk's NIC; the next sample shows it.
    const nic = new RegExp(`cyrange_nic_rx_bytes_total\\{range="${inst}",host="desk",network="lan"\\} [1-9]`);
    const text = await waitFor(async () => {
      const m = await metrics(ADMIN);
      return m.status === 200 && nic.test(m.text) ? m.text : '';
    }, 10_000);
    expect(text).toMatch(nic);
    expect(text).toMatch(/cyrange_ranges\{status="running"\} [1-9]/);
    expect(text).toMatch(/cyrange_job_duration_seconds_count\{op="deploy"\} 1/);
    const lint = await runCmd(['promtool', 'check', 'metrics'], { input: text });
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    expect((lint.stdout + lint.stderr).trim()).toBe('');
    // Requests do no kernel work: twenty at once are all served from one or two samples.
    const stamps = await Promise.all(
      Array.from({ length: 20 }, async () => /^cyrange_metrics_sampled_timestamp_seconds (\S+)$/m.exec((await metrics(ADMIN)).text)?.[1]),
    );
    expect(stamps.every(Boolean)).toBe(true);
    expect(new Set(stamps).size).toBeLessThanOrEqual(2);
    expect(Math.abs(Number(stamps[0]) * 1000 - Date.now())).toBeLessThan(5000);
    // A metrics token made with the CLI works too.
    const made = await cli(['token', 'create', '--scope', 'metrics', '--label', 'prometheus'], { stateDir: state.dir });
    expect(made.code, made.stderr).toBe(0);
    const m = await metrics(made.stdout.trim());
    expect(m.status).toBe(200);
    // Samples are up to one interval old: the range the CLI deployed shows once a sample has read it.
    const seen = await waitFor(async () => (await metrics(made.stdout.trim())).text.includes(`range="${cliInst}"`), 15_000, 250);
    expect(seen).toBe(true);
  });

  it('tokens expire, are listed and revoked (API and CLI), and a revoked token stops at once', async () => {
    // A login token lives 12 h.
    const login = await api('POST', '/api/login', null, { username: 'ins', password: 'instructor-pw' });
    expect(login.status).toBe(200);
    expect(Math.abs(Date.parse(login.body.expires_at) - Date.now() - 12 * 3600_000)).toBeLessThan(60_000);
    // An admin chooses the expiry of the tokens they make; only admins make them.
    const short = await api('POST', '/api/tokens', ADMIN, { user: 'stu', expires_in: 1 });
    expect(short.status).toBe(201);
    expect((await api('GET', '/api/me', short.body.token)).body.name).toBe('stu');
    expect((await api('POST', '/api/tokens', instructor, { user: 'ins' })).status).toBe(403);
    expect((await api('POST', '/api/tokens', ADMIN, { user: 'stu', expires_in: -5 })).status).toBe(422);
    await sleep(1500);
    expect((await api('GET', '/api/me', short.body.token)).status).toBe(401);
    // Each user lists their own tokens, without secrets; admins list all.
    const mine = await api('GET', '/api/tokens', instructor);
    expect(mine.status).toBe(200);
    expect(new Set(mine.body.map((t: { user: string }) => t.user))).toEqual(new Set(['ins']));
    expect(mine.body.find((t: { id: number }) => t.id === login.body.token_id)).toMatchObject({ scope: 'api', current: false });
    expect(JSON.stringify(mine.body)).not.toContain(login.body.token);
    const everyone = await api('GET', '/api/tokens', ADMIN);
    expect(new Set(everyone.body.map((t: { user: string }) => t.user))).toEqual(new Set(['admin', 'ins', 'stu', 'stu2']));
    expect(everyone.body.find((t: { id: number }) => t.id === short.body.id).expired).toBe(true);
    // Revoking: not another user's token (404), one's own at once, anyone's for an admin.
    expect((await api('DELETE', `/api/tokens/${login.body.token_id}`, student)).status).toBe(404);
    expect((await api('GET', '/api/me', login.body.token)).status).toBe(200);
    expect((await api('DELETE', `/api/tokens/${login.body.token_id}`, instructor)).status).toBe(204);
    expect((await api('GET', '/api/me', login.body.token)).status).toBe(401);
    const again = await api('POST', '/api/login', null, { username: 'ins', password: 'instructor-pw' });
    expect((await api('DELETE', `/api/tokens/${again.body.token_id}`, ADMIN)).status).toBe(204);
    expect((await api('GET', '/api/me', again.body.token)).status).toBe(401);
    // The CLI works on the same store; the server refuses a token the CLI revoked at once.
    const made = await cli(['token', 'create', '--user', 'stu2', '--expires-in', '600'], { stateDir: state.dir });
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect((await api('GET', '/api/me', token)).body.name).toBe('stu2');
    const ls = JSON.parse((await cli(['token', 'ls', '--json', '--user', 'stu2'], { stateDir: state.dir })).stdout);
    const row = ls.find((t: { label: string }) => t.label === 'cli');
    expect(row).toMatchObject({ user: 'stu2', scope: 'api', expired: false });
    expect(Math.abs(Date.parse(row.expires_at) - Date.now() - 600_000)).toBeLessThan(60_000);
    expect((await cli(['token', 'ls'], { stateDir: state.dir })).stdout).toMatch(/^ID\s+USER\s+SCOPE/);
    expect((await cli(['token', 'revoke', String(row.id)], { stateDir: state.dir })).code).toBe(0);
    expect((await api('GET', '/api/me', token)).status).toBe(401);
    expect((await cli(['token', 'revoke', String(row.id)], { stateDir: state.dir })).code).toBe(1);
    const bad = await cli(['token', 'create', '--scope', 'root', '--expires-in', 'soon'], { stateDir: state.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--scope: unknown value "root"');
    expect(bad.stderr).toContain('--expires-in: "soon"');
  });

  it('tickets: only for WebSockets and SSE, single use, 30 s; no token in URLs', async () => {
    const events = `${BASE}/api/jobs/${deployJob}/events`;
    const sse = { accept: 'text/event-stream' };
    expect((await api('POST', '/api/tickets', null)).status).toBe(401);
    const t = await api('POST', '/api/tickets', instructor);
    expect(t.status).toBe(201);
    expect(t.body.expires_in).toBe(30);
    // Not a way around the header for ordinary requests (and such a try does not use it up).
    expect((await api('GET', `/api/ranges?ticket=${t.body.ticket}`, null)).status).toBe(401);
    const first = await fetch(`${events}?ticket=${t.body.ticket}`, { headers: sse });
    expect(first.status).toBe(200);
    await first.text();
    expect((await fetch(`${events}?ticket=${t.body.ticket}`, { headers: sse })).status).toBe(401);
    // The long-lived token in the query is no longer accepted, for SSE or WebSockets.
    expect((await fetch(`${events}?access_token=${instructor}`, { headers: sse })).status).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${PORT}/api/ranges/${inst}/hosts/web/console?access_token=${instructor}`)).toBe(401);
    // A ticket dies with the token it was asked with.
    const short = await api('POST', '/api/tokens', ADMIN, { user: 'ins', expires_in: 600 });
    const dead = await ticketOf(short.body.token);
    expect((await api('DELETE', `/api/tokens/${short.body.id}`, ADMIN)).status).toBe(204);
    expect((await fetch(`${events}?ticket=${dead}`, { headers: sse })).status).toBe(401);
    // The ticket taken at the start was never used; 30 s later it is refused.
    await sleep(Math.max(0, early.at + 31_000 - Date.now()));
    expect((await fetch(`${events}?ticket=${early.ticket}`, { headers: sse })).status).toBe(401);
    const fresh = await ticketOf(ADMIN);
    expect((await fetch(`${events}?ticket=${fresh}`, { headers: sse })).status).toBe(200);
  }, 60_000);

  it('limits failed logins per user and per address (429, Retry-After) while other clients stay fast', async () => {
    expect((await api('POST', '/api/users', ADMIN, { name: 'locked', role: 'student', password: 'locked-password' })).status).toBe(201);
    expect((await api('POST', '/api/users', ADMIN, { name: 'elsewhere', role: 'student', password: 'elsewhere-password' })).status).toBe(
      201,
    );
    const login = (username: string, password: string) =>
      fetch(`${BASE}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    // Per user: five wrong passwords, then 429 even for the right one.
    for (let i = 0; i < 5; i++) expect((await login('locked', 'wrong')).status).toBe(401);
    const limited = await login('locked', 'wrong');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login('locked', 'locked-password')).status).toBe(429);
    // Per address: 100 wrong logins under ever new names from 127.0.0.1, while another client
    // (127.0.0.2) reads the API: its p99 stays under 50 ms.
    const statuses: number[] = [];
    const wrong = (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await login(`nobody-${i}`, 'wrong');
        statuses.push(r.status);
        if (r.status === 429) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    })();
    const times: number[] = [];
    const reads = (async () => {
      for (let i = 0; i < 50; i++) {
        const r = await fromOther('GET', '/api/ranges', instructor);
        expect(r.status).toBe(200);
        times.push(r.ms);
        await sleep(5);
      }
    })();
    await Promise.all([wrong, reads]);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
    expect(statuses.slice(-50).every((s) => s === 429)).toBe(true);
    const sorted = [...times].sort((a, b) => a - b);
    const p99 = sorted[Math.ceil(0.99 * sorted.length) - 1] ?? Number.POSITIVE_INFINITY;
    console.log(`p99 of ${times.length} GET /api/ranges during 100 wrong logins: ${p99.toFixed(1)} ms`);
    expect(p99).toBeLessThan(50);
    // This address is limited now, another one is not.
    expect((await login('elsewhere', 'elsewhere-password')).status).toBe(429);
    expect((await fromOther('POST', '/api/login', null, { username: 'elsewhere', password: 'elsewhere-password' })).status).toBe(200);
  });

  it('never logs a query string or a secret', () => {
    expect(logs).toContain('"path":"/api/jobs/');
    expect(logs).not.toMatch(/ticket=|access_token=|cyt_/);
    for (const secret of [ADMIN, instructor, student, other]) expect(logs).not.toContain(secret);
  });

  it('destroys through a job', async () => {
    const d = await api('DELETE', `/api/ranges/${inst}`, instructor);
    expect(d.status).toBe(202);
    const { end } = await followJob(d.body.job_id, instructor);
    expect(end.status).toBe('succeeded');
    expect((await api('GET', `/api/ranges/${inst}`, instructor)).status).toBe(404);
  });
});
