import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, configFromEnv } from '../engine/index.js';
import { CyrangeError, ERROR_STATUS, ValidationError } from '../model/index.js';
import { type Store, bootstrapAdmin, openStore } from '../store/index.js';
import { errorHandler, notFound } from './errors.js';
import { JobRunner } from './jobs.js';
import { buildServer } from './server.js';

const TOKEN = 'errors-test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

// The real server, on a throwaway store: what Fastify itself refuses must come back with our codes.
describe('the API server answers Fastify’s own refusals with their status and a code of ours', () => {
  let stateDir: string;
  let store: Store;
  let app: FastifyInstance;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'cyrange-errors-'));
    store = await openStore({ stateDir });
    await bootstrapAdmin(store.access, TOKEN);
    const engine = new Engine(store, { ...configFromEnv({}), stateDir });
    app = await buildServer({ engine, jobs: new JobRunner(), webRoot: null, metricsIntervalMs: 3_600_000 });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it.each([
    {
      what: 'a body over the 1 MiB limit',
      req: {
        method: 'POST',
        url: '/api/blueprints',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: `"${'x'.repeat(1024 * 1024 + 10)}"`,
      },
      status: 413,
      code: 'CYR_TOO_LARGE',
    },
    {
      what: 'bad JSON',
      req: { method: 'POST', url: '/api/blueprints', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"source": ' },
      status: 400,
      code: 'CYR_PARSE',
    },
    {
      what: 'an empty JSON body',
      req: { method: 'POST', url: '/api/blueprints', headers: { ...auth, 'content-type': 'application/json' }, payload: '' },
      status: 400,
      code: 'CYR_PARSE',
    },
    {
      what: 'a content type no parser takes',
      req: { method: 'POST', url: '/api/blueprints', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<a/>' },
      status: 415,
      code: 'CYR_UNSUPPORTED_MEDIA',
    },
    {
      what: 'an unknown API route',
      req: { method: 'GET', url: '/api/no-such-thing?ticket=secret', headers: auth },
      status: 404,
      code: 'CYR_NOT_FOUND',
    },
    { what: 'an unknown route outside /api', req: { method: 'DELETE', url: '/nowhere' }, status: 404, code: 'CYR_NOT_FOUND' },
    {
      what: 'a range that does not exist',
      req: { method: 'GET', url: '/api/ranges/nope', headers: auth },
      status: 404,
      code: 'CYR_NOT_FOUND',
    },
    { what: 'no token', req: { method: 'GET', url: '/api/ranges' }, status: 401, code: 'CYR_UNAUTHORIZED' },
    {
      what: 'an invalid blueprint',
      req: { method: 'POST', url: '/api/blueprints/validate', headers: auth, payload: { source: 'name: "Bad Name"\n' } },
      status: 422,
      code: 'CYR_INVALID',
    },
  ] as const)('$what: $status $code', async ({ req, status, code }) => {
    const r = await app.inject(req as InjectOptions);
    expect(r.statusCode, r.body).toBe(status);
    const body = r.json();
    expect(body.code).toBe(code);
    expect(ERROR_STATUS[body.code as keyof typeof ERROR_STATUS]).toBe(status);
    expect(typeof body.message).toBe('string');
    // A query string (tickets) never comes back in a message.
    expect(body.message).not.toContain('secret');
  });
});

// Fastify features the server does not use on every route (schema validation, the rate limiter), on a bare instance.
describe('errorHandler on a bare Fastify instance', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify({ logger: false });
    app.setErrorHandler(errorHandler);
    app.setNotFoundHandler(notFound);
    await app.register(rateLimit, { global: false });
    app.post('/typed', { schema: { body: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } } }, async () => ({}));
    app.get('/limited', { config: { rateLimit: { max: 1, timeWindow: 60_000 } } }, async () => ({}));
    app.get('/conflict', async () => {
      throw new CyrangeError('CYR_CONFLICT', 'host "web" is not running', { hint: 'cyrange host start r web' });
    });
    app.get('/invalid', async () => {
      throw new ValidationError([{ path: 'vms[0].name', message: 'must match [a-z0-9-]' }]);
    });
    app.get('/timeout', async () => {
      throw new CyrangeError('CYR_TIMEOUT', 'guest did not answer');
    });
    app.get('/boom', async () => {
      throw new Error('secret detail');
    });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('a body failing its schema is 400 CYR_BAD_REQUEST', async () => {
    const r = await app.inject({ method: 'POST', url: '/typed', payload: { n: 'one' } });
    expect([r.statusCode, r.json().code]).toEqual([400, 'CYR_BAD_REQUEST']);
  });

  it('the rate limiter is 429 CYR_RATE_LIMITED', async () => {
    expect((await app.inject({ method: 'GET', url: '/limited' })).statusCode).toBe(200);
    const r = await app.inject({ method: 'GET', url: '/limited' });
    expect([r.statusCode, r.json().code]).toEqual([429, 'CYR_RATE_LIMITED']);
  });

  it.each([
    ['/conflict', 409, { code: 'CYR_CONFLICT', message: 'host "web" is not running', hint: 'cyrange host start r web' }],
    [
      '/invalid',
      422,
      {
        code: 'CYR_INVALID',
        message: 'vms[0].name: must match [a-z0-9-]',
        problems: [{ path: 'vms[0].name', message: 'must match [a-z0-9-]', line: 'vms[0].name: must match [a-z0-9-]' }],
      },
    ],
    ['/timeout', 504, { code: 'CYR_TIMEOUT', message: 'guest did not answer' }],
    // Not ours: nothing of it reaches the client.
    ['/boom', 500, { code: 'CYR_INTERNAL', message: 'internal error' }],
    ['/missing', 404, { code: 'CYR_NOT_FOUND', message: 'no route GET /missing' }],
  ])('GET %s is %i with body %j', async (url, status, body) => {
    const r = await app.inject({ method: 'GET', url });
    expect(r.statusCode).toBe(status);
    expect(r.json()).toEqual(body);
  });
});
