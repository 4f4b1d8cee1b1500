import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/index.js';
import { CyrangeError } from '../../model/index.js';
import { caller } from '../auth.js';
import type { Job, JobRunner } from '../jobs.js';

function view(j: Job) {
  return {
    id: j.id,
    op: j.op,
    instance: j.instance,
    status: j.status,
    error: j.error,
    result: j.result,
    started_at: j.startedAt,
    finished_at: j.finishedAt,
    duration_ms: j.durationMs,
    events: j.events,
  };
}

/** Deploy and destroy jobs: a resource to poll, and Server-Sent Events with one event per step. */
export async function jobRoutes(app: FastifyInstance, opts: { engine: Engine; jobs: JobRunner }): Promise<void> {
  const { jobs } = opts;
  const load = (id: string, user: ReturnType<typeof caller>) => {
    const j = jobs.get(id);
    if (!j || (user.role !== 'admin' && j.owner !== user.name)) throw new CyrangeError('CYR_NOT_FOUND', `no job ${id}`);
    return j;
  };

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    { schema: { tags: ['jobs'], summary: 'A deploy or destroy job and its step events' } },
    async (req) => view(load(req.params.id, caller(req))),
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/events',
    { schema: { tags: ['jobs'], summary: 'Server-Sent Events: one `step` event per step, then `end`' } },
    async (req, reply) => {
      const job = load(req.params.id, caller(req));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const stop = jobs.follow(job, (m) => {
        if (m.kind === 'event') res.write(`event: ${m.event.kind}\ndata: ${JSON.stringify(m.event)}\n\n`);
        else {
          res.write(`event: end\ndata: ${JSON.stringify({ status: m.job.status, error: m.job.error, duration_ms: m.job.durationMs })}\n\n`);
          res.end();
        }
      });
      req.raw.on('close', stop);
    },
  );
}
