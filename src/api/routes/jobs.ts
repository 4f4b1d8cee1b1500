import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Engine, RangeRecord } from '../../engine/index.js';
import { CyrangeError } from '../../model/index.js';
import { caller, viewerOf } from '../auth.js';
import type { Job, JobRunner } from '../jobs.js';
import { ref } from '../schemas.js';
import { jobFilter, jobView } from '../views.js';

/**
 * A job as a caller sees it (`jobView`), with its links: the reconcile job that repairs the range
 * of an interrupted job, and the interrupted jobs a reconcile job repairs.
 */
function linkedJobView(job: Job, full: RangeRecord | null, seen: RangeRecord | null) {
  return { ...jobView(job, full, seen), reconcile_job: job.reconcileJob ?? null, repairs: job.repairs ?? [] };
}

/**
 * Deploy, destroy and reconcile jobs: a resource to poll, and Server-Sent Events with one event per
 * step. Jobs are stored, so both keep working after the server restarts.
 */
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
    const job = await jobs.get(req.params.id);
    const full = job ? await engine.get(job.instance) : null;
    if (job && (user.role === 'admin' || job.owner === user.name)) return { job, full, seen: full };
    const seen = full && engine.access ? (await viewerOf(engine.access, user)).range(full) : null;
    if (!job || !seen) throw new CyrangeError('CYR_NOT_FOUND', `no job ${req.params.id}`);
    return { job, full, seen };
  };

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    {
      schema: {
        operationId: 'getJob',
        tags: ['jobs'],
        summary:
          'A deploy, destroy or reconcile job and its step events (`interrupted`: its server stopped first; `reconcile_job` repairs the range)',
        response: { 200: ref('Job') },
      },
    },
    async (req) => {
      const { job, full, seen } = await load(req);
      return linkedJobView(job, full, seen);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/jobs/:id/cancel',
    {
      schema: {
        operationId: 'cancelJob',
        tags: ['jobs'],
        summary:
          'Cancel a running job: its work stops and undoes what it did (a deploy rolls back), and the job ends `failed` with "cancelled by USER" (admins and the job\'s owner; 409 when it has ended or another server process runs it)',
        response: { 202: ref('Job') },
      },
    },
    async (req, reply) => {
      const { job, full, seen } = await load(req);
      const user = caller(req);
      if (user.role !== 'admin' && job.owner !== user.name)
        throw new CyrangeError('CYR_FORBIDDEN', `job ${job.id} is ${job.owner}'s: only they or an admin may cancel it`);
      jobs.cancel(job, user.name);
      return reply.code(202).send(linkedJobView(job, full, seen));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/events',
    {
      schema: {
        operationId: 'followJob',
        tags: ['jobs'],
        summary:
          'Server-Sent Events: one `step` event per step, then `end` (EventSource: authenticate with ?ticket= from POST /api/tickets)',
        response: {
          200: {
            description:
              'An event stream: `step` and `progress` events (StepEvent, ProgressEvent), then one `end` with `status`, `error`, `duration_ms` and `reconcile_job`.',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
        },
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
          const end = linkedJobView(m.job, full, seen);
          const data = { status: end.status, error: end.error, duration_ms: end.duration_ms, reconcile_job: end.reconcile_job };
          res.write(`event: end\ndata: ${JSON.stringify(data)}\n\n`);
          res.end();
        }
      });
      req.raw.on('close', stop);
    },
  );
}
