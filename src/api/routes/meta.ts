import type { FastifyInstance } from 'fastify';
import { type Engine, hashToken } from '../../engine/index.js';
import { CyrangeError } from '../../model/index.js';
import { bearerOf, viewerOf } from '../auth.js';
import type { JobRunner } from '../jobs.js';
import { type MetricsSampler, renderMetrics } from '../metrics.js';

/**
 * `/healthz`, and `/metrics` (Prometheus text format) from the background sample: admins see
 * everything; a `metrics`-scope token sees what its user may see, without hidden hosts.
 */
export async function metaRoutes(app: FastifyInstance, opts: { engine: Engine; jobs: JobRunner; sampler: MetricsSampler }): Promise<void> {
  const { engine, jobs, sampler } = opts;
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await engine.list();
    return { status: 'ok' };
  });

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        tags: ['meta'],
        summary: 'Prometheus metrics (admin token, or a `metrics`-scope token): ranges, hosts, job durations, per-NIC counters',
        response: {
          200: { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    async (req, reply) => {
      const access = engine.access;
      const bearer = bearerOf(req);
      const hit = access && bearer ? await access.tokenByHash(hashToken(bearer)) : null;
      if (!access || !hit) {
        reply.header('WWW-Authenticate', 'Bearer');
        throw new CyrangeError('CYR_UNAUTHORIZED', 'a valid API token is required');
      }
      const { user, token } = hit;
      if (user.role !== 'admin' && token.scope !== 'metrics')
        throw new CyrangeError('CYR_FORBIDDEN', 'metrics need an admin token or a metrics token (cyrange token create --scope metrics)');
      const viewer = await viewerOf(access, user);
      const out = await renderMetrics(sampler.sample, viewer.range, jobs, user.role === 'admin' ? null : user.name);
      return reply.type(out.contentType).send(out.text);
    },
  );
}
