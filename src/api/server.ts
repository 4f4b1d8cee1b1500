import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RouteOptions } from 'fastify';
import { type Engine, atLeastInfo } from '../engine/index.js';
import { CyrangeError } from '../model/index.js';
import { authenticate } from './auth.js';
import { errorHandler, notFound } from './errors.js';
import type { JobRunner } from './jobs.js';
import { MetricsSampler } from './metrics.js';
import { registerOpenapi } from './openapi.js';
import { applyRoutes } from './routes/apply.js';
import { blueprintRoutes } from './routes/blueprints.js';
import { classRoutes } from './routes/class.js';
import { poolRoutes } from './routes/pools.js';
import { consoleRoutes } from './routes/console.js';
import { jobRoutes } from './routes/jobs.js';
import { metaRoutes } from './routes/meta.js';
import { rangeRoutes } from './routes/ranges.js';
import { tokenRoutes } from './routes/tokens.js';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits, loginRoute, userRoutes } from './routes/users.js';
import { TicketBook } from './tickets.js';

export interface ServerOptions {
  readonly engine: Engine;
  readonly jobs: JobRunner;
  /** Built web UI to serve at `/`; none when null or missing. */
  readonly webRoot?: string | null;
  /**
   * Request logs (method, path without its query string, status, time, range and host) and job
   * logs, at info level or the lower one CYRANGE_LOG names, through the process's root pino logger.
   */
  readonly logger?: boolean;
  /** How often NIC counters of running ranges are read for /metrics and stats (default 5 s, or `CYRANGE_METRICS_INTERVAL_MS`). */
  readonly metricsIntervalMs?: number;
  /** How failed logins are limited (default: 5 per user, 20 per address in 5 minutes). */
  readonly loginLimits?: LoginLimits;
  /** Lifetime of a login token in seconds (default 12 h). */
  readonly loginTtlS?: number;
  /** Told of every route as it is added (tests compare them with the OpenAPI document). */
  readonly onRoute?: (route: RouteOptions) => void;
}

/** A URL without its query string: tickets and other secrets in queries never reach a log. */
const pathOf = (url: string) => url.split('?')[0] ?? '';

/** Builds the HTTP server: the API under /api (OpenAPI at /api/openapi.json, docs at /api/docs), the web UI at /, /healthz and /metrics. */
export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { engine, jobs } = opts;
  const access = engine.access;
  if (!access) throw new CyrangeError('CYR_INTERNAL', 'the server needs a store with users');
  const app = Fastify({
    // One logger for requests, jobs and commands: at least info when asked for (CYRANGE_LOG=1), debug when CYRANGE_LOG=debug.
    ...(opts.logger
      ? {
          loggerInstance: atLeastInfo().child(
            {},
            {
              serializers: {
                req: (req: { method: string; url: string }) => ({ method: req.method, path: pathOf(req.url) }),
                res: (res: { statusCode: number }) => ({ status: res.statusCode }),
              },
            },
          ) as FastifyBaseLogger,
        }
      : { logger: false }),
    // Fastify's own request lines carry the whole URL; ours below leave the query string out.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });
  const { onRoute } = opts;
  if (onRoute) app.addHook('onRoute', (route) => onRoute(route));
  if (opts.logger)
    app.addHook('onResponse', async (req, reply) => {
      const p = (req.params ?? {}) as { name?: string; host?: string };
      req.log.info(
        {
          method: req.method,
          path: pathOf(req.url),
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
          ...(p.name && req.url.startsWith('/api/ranges/') ? { range: p.name } : {}),
          ...(p.host ? { host: p.host } : {}),
        },
        'request',
      );
    });
  const tickets = new TicketBook();
  const envInterval = Number(process.env.CYRANGE_METRICS_INTERVAL_MS);
  const sampler = new MetricsSampler(engine, opts.metricsIntervalMs ?? (envInterval > 0 ? envInterval : 5000));
  app.addHook('onReady', async () => sampler.start());
  app.addHook('onClose', async () => sampler.stop());
  // Schemas document the API; the model checks bodies, so errors name each field as the CLI does.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addContentTypeParser(
    ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  app.setErrorHandler(errorHandler);

  await registerOpenapi(app);
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await app.register(websocket);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(metaRoutes, { engine, jobs, sampler });
  await app.register(
    async (api) => {
      await api.register(loginRoute, {
        engine,
        limits: opts.loginLimits ?? DEFAULT_LOGIN_LIMITS,
        loginTtlS: opts.loginTtlS ?? 12 * 3600,
      });
      await api.register(async (authed) => {
        authed.addHook('onRequest', authenticate(access, tickets));
        await authed.register(userRoutes, { engine });
        await authed.register(tokenRoutes, { engine, tickets });
        await authed.register(blueprintRoutes, { engine });
        await authed.register(rangeRoutes, { engine, jobs, sampler });
        await authed.register(applyRoutes, { engine, jobs });
        await authed.register(jobRoutes, { engine, jobs });
        await authed.register(consoleRoutes, { engine });
        await authed.register(classRoutes, { engine });
        await authed.register(poolRoutes, { engine, jobs });
      });
    },
    { prefix: '/api' },
  );

  if (opts.webRoot && existsSync(opts.webRoot)) {
    await app.register(fastifyStatic, { root: opts.webRoot, wildcard: false });
    // Client-side routes of the single-page app all load index.html.
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/')) return reply.sendFile('index.html');
      return notFound(req, reply);
    });
  } else {
    app.setNotFoundHandler(notFound);
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
