import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CYRANGE, IS_ROOT, cli, tempStateDir, uniqueName, waitFor } from './helpers.js';
import { apiClient } from './api-client.js';

// The authorization walk: every route of the OpenAPI document, called by each kind of caller
// against a real server, must answer the status written in TABLE. A route in the document
// without a row fails the test, and so does a row for a route the document no longer has.

const ADMIN = 'authz-admin-token-0123456789';
const PORT = 22000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const { api, jobEvents } = apiClient(BASE);

/** The callers, in the order of each row's statuses. */
const ROLES = [
  'anonymous',
  'student of another range',
  'student of this range',
  'instructor of another range',
  'owner instructor',
  'admin',
] as const;
type Role = (typeof ROLES)[number];
type Statuses = readonly [number, number, number, number, number, number];

/** What one call needs: path parameters and a body, made fresh when the call changes something. */
interface Call {
  readonly params?: Record<string, string>;
  /** A query string appended to the path (`?a=b`). */
  readonly query?: string;
  readonly body?: unknown;
}

interface Row {
  /** The exact status for each caller, in ROLES order; 101 means the WebSocket opened. */
  readonly expect: Statuses;
  /** How the call is made: JSON (default), a WebSocket upgrade, or an EventSource request. */
  readonly kind?: 'ws' | 'sse';
  /** Parameters and body for one caller; runs before the call. */
  readonly prepare?: (role: Role) => Promise<Call> | Call;
  /** Undoes what an allowed call changed. */
  readonly after?: (role: Role, status: number) => Promise<void>;
  /** Runs after every other row (destructive calls). */
  readonly last?: boolean;
}

async function followJob(id: string, token: string): Promise<string> {
  return JSON.stringify((await jobEvents(id, token)).find((e) => e.ev === 'end')?.data ?? null);
}

function upgradeStatus(path: string, token: string | null): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${PORT}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', () => resolve(0));
  });
}

let seq = 0;
const fresh = (base: string) => `${base}${Date.now().toString(36).slice(-4)}${seq++}`;

describe.skipIf(!IS_ROOT)('authorization walk over the OpenAPI document', () => {
  const state = tempStateDir();
  const range = uniqueName('walk');
  const otherRange = uniqueName('walkb');
  const throwaway = uniqueName('walkt');
  // Pool copies are named <pool>-01: the pool name leaves room for that within 24 characters.
  const pool = uniqueName('wp').slice(0, 18);
  const token: Record<Role, string | null> = {
    anonymous: null,
    'student of another range': '',
    'student of this range': '',
    'instructor of another range': '',
    'owner instructor': '',
    admin: ADMIN,
  };
  let server: ChildProcess;
  let blueprintId = 0;
  let deployJob = '';

  const source = (name: string, hosts: boolean) =>
    [
      `name: ${name}`,
      'networks:',
      '  - { name: lan, subnet: 10.0.1.0/24 }',
      '  - { name: dmz, subnet: 10.0.2.0/24 }',
      ...(hosts
        ? [
            'vms:',
            '  - { name: web, command: [sleep, infinity], interfaces: [{ network: lan }] }',
            '  - { name: act, command: [sleep, infinity], interfaces: [{ network: lan }] }',
            '  - { name: vault, hidden: true, command: [sleep, infinity], interfaces: [{ network: lan }] }',
          ]
        : []),
      '',
    ].join('\n');
  const owner = () => token['owner instructor'] as string;
  const allowed = (role: Role) => role === 'owner instructor' || role === 'admin';

  /** Deploys a range as `as`; resolves with the job id once it succeeded. */
  async function deploy(name: string, hosts: boolean, as: string): Promise<string> {
    const d = await api('POST', '/api/ranges', as, { source: source('walk', hosts), name });
    expect(d.status, JSON.stringify(d.body)).toBe(202);
    expect(await followJob(d.body.job_id, as)).toContain('"succeeded"');
    return d.body.job_id;
  }

  /** A one-copy pool of the owner's, made for one call that removes it. */
  async function throwawayPool(): Promise<string> {
    const name = uniqueName('tp');
    const r = await api('POST', '/api/pools', owner(), { name, source: source('walk', false), size: 1 });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(await followJob(r.body.job_id, owner())).toContain('"succeeded"');
    return name;
  }

  /** A host of the range made for one call that removes it. */
  async function throwawayHost(): Promise<string> {
    const name = fresh('tmp');
    const r = await api('POST', `/api/ranges/${range}/hosts`, ADMIN, {
      name,
      command: ['sleep', 'infinity'],
      networks: [{ network_id: 'lan' }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return name;
  }

  // Ranges: `range` is the owner's (its student: "student of this range"); `otherRange` belongs to
  // "instructor of another range" and is assigned to "student of another range".
  const TABLE: Record<string, Row> = {
    //                                                  anon  stuO  stuT  insO  own   admin
    'GET /metrics': { expect: [401, 403, 403, 403, 403, 200] },
    'POST /api/login': {
      expect: [200, 200, 200, 200, 200, 200],
      prepare: () => ({ body: { username: 'stu-a', password: 'student-a-password' } }),
    },
    'GET /api/me': { expect: [401, 200, 200, 200, 200, 200] },
    'GET /api/users': { expect: [401, 403, 403, 403, 403, 200] },
    'POST /api/users': { expect: [401, 403, 403, 201, 201, 201], prepare: () => ({ body: { name: fresh('new'), role: 'student' } }) },
    'GET /api/tokens': { expect: [401, 200, 200, 200, 200, 200] },
    'POST /api/tokens': { expect: [401, 403, 403, 403, 403, 201], prepare: () => ({ body: { user: 'stu-a', expires_in: 60 } }) },
    'DELETE /api/tokens/{id}': {
      expect: [401, 404, 404, 404, 204, 204],
      // A fresh token of the owner instructor for each call.
      prepare: async () => ({
        params: { id: String((await api('POST', '/api/tokens', ADMIN, { user: 'ins-a', expires_in: 600 })).body.id) },
      }),
    },
    'POST /api/tickets': { expect: [401, 201, 201, 201, 201, 201] },
    'GET /api/blueprints': { expect: [401, 403, 403, 200, 200, 200] },
    'POST /api/blueprints': { expect: [401, 403, 403, 201, 201, 201], prepare: () => ({ body: { source: source('made', true) } }) },
    'POST /api/blueprints/validate': {
      expect: [401, 403, 403, 200, 200, 200],
      prepare: () => ({ body: { source: source('check', true) } }),
    },
    'GET /api/blueprints/{id}': { expect: [401, 404, 404, 404, 200, 200] },
    'PUT /api/blueprints/{id}': { expect: [401, 404, 404, 404, 200, 200], prepare: () => ({ body: { source: source('walk', true) } }) },
    'DELETE /api/blueprints/{id}': {
      expect: [401, 404, 404, 404, 204, 204],
      prepare: async () => ({
        params: { id: String((await api('POST', '/api/blueprints', owner(), { source: source('gone', false) })).body.id) },
      }),
    },
    'GET /api/blueprints/{id}/export': { expect: [401, 404, 404, 404, 200, 200] },
    'GET /api/ranges': { expect: [401, 200, 200, 200, 200, 200] },
    // A second deploy answers as `cyrange deploy`: a moved subnet cannot change in place, so allowed
    // callers get as far as 422 and nothing changes; another instructor does not see the range.
    'POST /api/ranges': {
      expect: [401, 403, 403, 404, 422, 422],
      prepare: () => ({ body: { source: source('walk', true).replace('10.0.1.0/24', '10.0.9.0/24'), name: range } }),
    },
    'GET /api/ranges/{name}': { expect: [401, 404, 200, 404, 200, 200] },
    'DELETE /api/ranges/{name}': {
      expect: [401, 404, 403, 404, 202, 202],
      // The owner destroys the throwaway range; the admin's call is the very last one, on this range.
      prepare: (role) => ({ params: { name: role === 'owner instructor' ? throwaway : range } }),
      after: async (role, status) => {
        if (status !== 202) return;
        await waitFor(
          async () => (await api('GET', `/api/ranges/${role === 'owner instructor' ? throwaway : range}`, ADMIN)).status === 404,
          30_000,
          250,
        );
      },
      last: true,
    },
    // An empty body: allowed callers get as far as 422, and nothing changes.
    'PUT /api/ranges/{name}': { expect: [401, 404, 403, 404, 422, 422], prepare: () => ({ body: {} }) },
    'GET /api/ranges/{name}/networks': { expect: [401, 404, 200, 404, 200, 200] },
    'GET /api/ranges/{name}/stats': { expect: [401, 404, 200, 404, 200, 200] },
    'GET /api/ranges/{name}/hosts': { expect: [401, 404, 200, 404, 200, 200] },
    'POST /api/ranges/{name}/hosts': {
      expect: [401, 404, 403, 404, 201, 201],
      prepare: () => ({ body: { name: fresh('add'), command: ['sleep', 'infinity'], networks: [{ network_id: 'lan' }] } }),
    },
    'GET /api/ranges/{name}/hosts/{host}': { expect: [401, 404, 200, 404, 200, 200] },
    // A hidden host is not there for students, even their range's.
    'GET /api/ranges/{name}/hosts/{host} (hidden)': {
      expect: [401, 404, 404, 404, 200, 200],
      prepare: () => ({ params: { host: 'vault' } }),
    },
    'DELETE /api/ranges/{name}/hosts/{host}': {
      expect: [401, 404, 403, 404, 204, 204],
      prepare: async (role) => ({ params: { host: allowed(role) ? await throwawayHost() : 'act' } }),
    },
    'POST /api/ranges/{name}/hosts/{host}/start': { expect: [401, 404, 403, 404, 200, 200], prepare: () => ({ params: { host: 'act' } }) },
    'POST /api/ranges/{name}/hosts/{host}/stop': {
      expect: [401, 404, 403, 404, 200, 200],
      prepare: () => ({ params: { host: 'act' } }),
      after: async (_role, status) => {
        if (status === 200) expect((await api('POST', `/api/ranges/${range}/hosts/act/start`, ADMIN)).status).toBe(200);
      },
    },
    'POST /api/ranges/{name}/hosts/{host}/restart': {
      expect: [401, 404, 403, 404, 200, 200],
      prepare: () => ({ params: { host: 'act' } }),
    },
    'POST /api/ranges/{name}/hosts/{host}/interfaces': {
      expect: [401, 404, 403, 404, 201, 201],
      prepare: () => ({ params: { host: 'act' }, body: { network_id: 'dmz' } }),
      after: async (_role, status) => {
        if (status === 201) expect((await api('DELETE', `/api/ranges/${range}/hosts/act/interfaces/dmz`, ADMIN)).status).toBe(200);
      },
    },
    'DELETE /api/ranges/{name}/hosts/{host}/interfaces/{network}': {
      expect: [401, 404, 403, 404, 200, 200],
      prepare: async (role) => {
        if (allowed(role))
          expect((await api('POST', `/api/ranges/${range}/hosts/act/interfaces`, ADMIN, { network_id: 'dmz' })).status).toBe(201);
        return { params: { host: 'act', network: 'dmz' } };
      },
    },
    'POST /api/ranges/{name}/assignments': { expect: [401, 404, 403, 404, 204, 204], prepare: () => ({ body: { user: 'stu-a' } }) },
    'GET /api/ranges/{name}/hosts/{host}/console': { expect: [401, 404, 101, 404, 101, 101], kind: 'ws' },
    'GET /api/ranges/{name}/hosts/{host}/console (hidden)': {
      expect: [401, 404, 404, 404, 101, 101],
      kind: 'ws',
      prepare: () => ({ params: { host: 'vault' } }),
    },
    // Host web serves no VNC: the socket opens, then closes with 1011.
    'GET /api/ranges/{name}/hosts/{host}/vnc': { expect: [401, 404, 101, 404, 101, 101], kind: 'ws' },
    'POST /api/ranges/{name}/hosts/{host}/reset': { expect: [401, 404, 403, 404, 200, 200], prepare: () => ({ params: { host: 'act' } }) },
    'POST /api/ranges/{name}/reset': { expect: [401, 404, 403, 404, 200, 200] },
    'GET /api/ranges/{name}/snapshots': { expect: [401, 404, 403, 404, 200, 200] },
    'POST /api/ranges/{name}/snapshots': { expect: [401, 404, 403, 404, 201, 201], prepare: () => ({ body: { name: fresh('s') } }) },
    'POST /api/ranges/{name}/snapshots/{snapshot}/restore': {
      expect: [401, 404, 403, 404, 200, 200],
      prepare: async () => {
        const name = fresh('r');
        expect((await api('POST', `/api/ranges/${range}/snapshots`, ADMIN, { name })).status).toBe(201);
        return { params: { snapshot: name } };
      },
    },
    'DELETE /api/ranges/{name}/snapshots/{snapshot}': {
      expect: [401, 404, 403, 404, 204, 204],
      prepare: async () => {
        const name = fresh('d');
        expect((await api('POST', `/api/ranges/${range}/snapshots`, ADMIN, { name })).status).toBe(201);
        return { params: { snapshot: name } };
      },
    },
    // The lan network carries a hidden host: a student may capture only one of their own hosts' NICs.
    'GET /api/ranges/{name}/networks/{network}/capture': {
      expect: [401, 404, 403, 404, 200, 200],
      prepare: () => ({ query: '?seconds=1' }),
    },
    'GET /api/ranges/{name}/networks/{network}/capture (own host)': {
      expect: [401, 404, 200, 404, 200, 200],
      prepare: () => ({ query: '?seconds=1&host=web' }),
    },
    'GET /api/pools': { expect: [401, 403, 403, 200, 200, 200] },
    // The pool name is taken: allowed callers get as far as 409, and nothing is deployed.
    'POST /api/pools': {
      expect: [401, 403, 403, 409, 409, 409],
      prepare: () => ({ body: { name: pool, source: source('walk', false), size: 1 } }),
    },
    'GET /api/pools/{name}': { expect: [401, 404, 404, 404, 200, 200], prepare: () => ({ params: { name: pool } }) },
    'POST /api/pools/{name}/resize': {
      expect: [401, 404, 404, 404, 202, 202],
      prepare: () => ({ params: { name: pool }, body: { size: 1 } }),
    },
    'DELETE /api/pools/{name}': {
      expect: [401, 404, 404, 404, 202, 202],
      prepare: async (role) => ({ params: { name: allowed(role) ? await throwawayPool() : pool } }),
    },
    'GET /api/jobs/{id}': { expect: [401, 404, 200, 404, 200, 200], prepare: () => ({ params: { id: deployJob } }) },
    'GET /api/jobs/{id}/events': { expect: [401, 404, 200, 404, 200, 200], kind: 'sse', prepare: () => ({ params: { id: deployJob } }) },
    // The deploy job has ended: those who may cancel it hear that it cannot be (409).
    'POST /api/jobs/{id}/cancel': { expect: [401, 404, 403, 404, 409, 409], prepare: () => ({ params: { id: deployJob } }) },
  };

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    const user = async (as: string, name: string, role: string, password?: string) => {
      const r = await api('POST', '/api/users', as, { name, role, ...(password ? { password } : {}) });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.token as string;
    };
    token['owner instructor'] = await user(ADMIN, 'ins-a', 'instructor');
    token['instructor of another range'] = await user(ADMIN, 'ins-b', 'instructor');
    token['student of this range'] = await user(owner(), 'stu-a', 'student', 'student-a-password');
    token['student of another range'] = await user(token['instructor of another range'] as string, 'stu-b', 'student');
    blueprintId = (await api('POST', '/api/blueprints', owner(), { source: source('walk', true) })).body.id;
    deployJob = await deploy(range, true, owner());
    const made = await api('POST', '/api/pools', owner(), { name: pool, source: source('walk', false), size: 1 });
    expect(made.status, JSON.stringify(made.body)).toBe(202);
    expect(await followJob(made.body.job_id, owner())).toContain('"succeeded"');
    await deploy(throwaway, false, owner());
    await deploy(otherRange, false, token['instructor of another range'] as string);
    for (const [inst, as, stu] of [
      [range, owner(), 'stu-a'],
      [throwaway, owner(), 'stu-a'],
      [otherRange, token['instructor of another range'] as string, 'stu-b'],
    ] as const)
      expect((await api('POST', `/api/ranges/${inst}/assignments`, as, { user: stu })).status).toBe(204);
  }, 180_000);

  afterAll(async () => {
    await cli(['pool', 'destroy', pool], { stateDir: state.dir });
    for (const inst of [range, throwaway, otherRange]) await cli(['destroy', inst], { stateDir: state.dir });
    // Throwaway pools the walk made and destroyed leave nothing; any left by a failed call goes here.
    const left = JSON.parse((await cli(['pool', 'ls', '--json'], { stateDir: state.dir })).stdout || '[]') as Array<{ name: string }>;
    for (const p of left) await cli(['pool', 'destroy', p.name], { stateDir: state.dir });
    server?.kill('SIGTERM');
    await new Promise((r) => server?.once('exit', r));
    state.cleanup();
  }, 120_000);

  it('has a row for every route of the document, and no row for a route it lacks', async () => {
    const doc = (await api('GET', '/api/openapi.json', null)).body;
    const routes = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const rows = new Set(Object.keys(TABLE).map((k) => k.replace(/ \(.*\)$/, '')));
    expect(
      routes.filter((r) => !rows.has(r)),
      'routes without a row',
    ).toEqual([]);
    expect(
      [...rows].filter((r) => !routes.includes(r)),
      'rows without a route',
    ).toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('answers every route × caller with the status of the table', async () => {
    const got: string[] = [];
    const want: string[] = [];
    const order = Object.entries(TABLE).sort(([, a], [, b]) => Number(!!a.last) - Number(!!b.last));
    for (const [key, row] of order) {
      const [method, template] = key.replace(/ \(.*\)$/, '').split(' ') as [string, string];
      for (const [i, role] of ROLES.entries()) {
        const call = (await row.prepare?.(role)) ?? {};
        const params: Record<string, string> = { name: range, host: 'web', id: String(blueprintId), network: 'lan', ...call.params };
        const path = template.replace(/\{(\w+)\}/g, (_m, p: string) => encodeURIComponent(params[p] ?? '')) + (call.query ?? '');
        const t = token[role];
        let status: number;
        if (row.kind === 'ws') status = await upgradeStatus(path, t);
        else if (row.kind === 'sse') {
          const r = await fetch(`${BASE}${path}`, {
            headers: { accept: 'text/event-stream', ...(t ? { authorization: `Bearer ${t}` } : {}) },
          });
          await r.text();
          status = r.status;
        } else status = (await api(method, path, t, call.body ?? (method === 'GET' || method === 'DELETE' ? undefined : {}))).status;
        got.push(`${key} as ${role}: ${status}`);
        want.push(`${key} as ${role}: ${row.expect[i]}`);
        await row.after?.(role, status);
      }
    }
    expect(got).toEqual(want);
  }, 240_000);
});
