import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Engine, RangeRecord } from '../../engine/index.js';
import { CyrangeError } from '../../model/index.js';
import { caller, viewerOf } from '../auth.js';
import type { Job, JobRunner } from '../jobs.js';
import { jobFilter, jobView } from '../views.js';

/** Deploy and destroy jobs: a resource to poll, and Server-Sent Events with one event per step. */
export async function jobRoutes(app: FastifyInstance, opts: { engine: Engine; jobs: JobRunner }): Promise<void> {
  const { engine, jobs } = opts;
  /**
   * A job the caller may see, with the range as they see it: admins and the job's owner see all
   * of it; others see jobs of ranges they may see, through their view of the range.
   */
  const load = async (
    req: FastifyRequest<{ Params: { id: string } }>,
  ): Promise<{ job: Job; full: RangeRecord | null; seen: RangeRecord | null }> => {
    const user = caller(req);
    const job = jobs.get(req.params.id);
    const full = job ? await engine.get(job.instance) : null;
    if (job && (user.role === 'admin' || job.owner === user.name)) return { job, full, seen: full };
    const seen = full && engine.access ? viewerOf(engine.access, user).range(full) : null;
    if (!job || !seen) throw new CyrangeError('CYR_NOT_FOUND', `no job ${req.params.id}`);
    return { job, full, seen };
  };

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    { schema: { tags: ['jobs'], summary: 'A deploy or destroy job and its step events' } },
    async (req) => {
      const { job, full, seen } = await load(req);
      return jobView(job, full, seen);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/events',
    {
      schema: {
        tags: ['jobs'],
        summary:
          'Server-Sent Events: one `step` event per step, then `end` (EventSource: authenticate with ?ticket= from POST /api/tickets)',
      },
    },
    async (req, reply) => {
      const { job, full, seen } = await load(req);
      const keep = jobFilter(full, seen);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const stop = jobs.follow(job, (m) => {
        if (m.kind === 'event') {
          if (keep(m.event)) res.write(`event: ${m.event.kind}\ndata: ${JSON.stringify(m.event)}\n\n`);
        } else {
          const end = jobView(m.job, full, seen);
          res.write(`event: end\ndata: ${JSON.stringify({ status: end.status, error: end.error, duration_ms: end.duration_ms })}\n\n`);
          res.end();
        }
      });
      req.raw.on('close', stop);
    },
  );
}
