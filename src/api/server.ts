import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Engine } from '../engine/index.js';
import { CyrangeError } from '../model/index.js';
import { authenticate } from './auth.js';
import { errorHandler } from './errors.js';
import type { JobRunner } from './jobs.js';
import { blueprintRoutes } from './routes/blueprints.js';
import { consoleRoutes } from './routes/console.js';
import { jobRoutes } from './routes/jobs.js';
import { metaRoutes } from './routes/meta.js';
import { rangeRoutes } from './routes/ranges.js';
import { loginRoute, userRoutes } from './routes/users.js';

export interface ServerOptions {
  readonly engine: Engine;
  readonly jobs: JobRunner;
  /** Built web UI to serve at `/`; none when null or missing. */
  readonly webRoot?: string | null;
  readonly logger?: boolean;
}

/** Builds the HTTP server: the API under /api (OpenAPI at /api/openapi.json, docs at /api/docs), the web UI at /, /healthz and /metrics. */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { engine, jobs } = opts;
  const access = engine.access;
  if (!access) throw new CyrangeError('CYR_INTERNAL', 'the server needs a store with users');
  const app = Fastify({ logger: opts.logger ? { level: 'info' } : false, bodyLimit: 1024 * 1024 });
  // Schemas document the API; the model checks bodies, so errors name each field as the CLI does.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  app.setErrorHandler(errorHandler);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Cyrange API', version: '0.1.0', description: 'Cyber ranges: isolated networks of multi-NIC hosts.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await app.register(websocket);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(metaRoutes, { engine, jobs });
  await app.register(
    async (api) => {
      await api.register(loginRoute, { engine });
      await api.register(async (authed) => {
        authed.addHook('onRequest', authenticate(access));
        await authed.register(userRoutes, { engine });
        await authed.register(blueprintRoutes, { engine });
        await authed.register(rangeRoutes, { engine, jobs });
        await authed.register(jobRoutes, { engine, jobs });
        await authed.register(consoleRoutes, { engine });
      });
    },
    { prefix: '/api' },
  );

  if (opts.webRoot && existsSync(opts.webRoot)) {
    await app.register(fastifyStatic, { root: opts.webRoot, wildcard: false });
    // Client-side routes of the single-page app all load index.html.
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/')) return reply.sendFile('index.html');
      return reply.code(404).send({ code: 'CYR_NOT_FOUND', message: `no route ${req.method} ${req.url}` });
    });
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .type('text/html')
        .send(
          '<!doctype html><title>Cyrange</title><p>Cyrange API: <a href="/api/docs">/api/docs</a>. The web UI is not built (npm run build:web).</p>',
        ),
    );
  }
  return app;
}
