import type { FastifyInstance } from 'fastify';
import { type Engine, type PoolRecord, type User, hashBlueprintPasswords } from '../../engine/index.js';
import { CyrangeError, ValidationError } from '../../model/index.js';
import { actorOf, caller, loadRange, requireRole } from '../auth.js';
import type { JobRunner } from '../jobs.js';
import { ref } from '../schemas.js';

const poolView = (p: PoolRecord) => ({
  name: p.name,
  owner: p.owner,
  student_reset: p.studentReset,
  created_at: p.createdAt,
  members: p.members.map((m) => ({ instance: m.instance, position: m.position, student: m.student })),
});

/** A pool the caller may manage: its owner instructor, or an admin; anyone else is told it does not exist. */
async function ownPool(engine: Engine, user: User, name: string): Promise<PoolRecord> {
  const p = (await engine.pools?.get(name)) ?? null;
  if (!p || (user.role !== 'admin' && p.owner !== user.name)) throw new CyrangeError('CYR_NOT_FOUND', `no pool "${name}"`);
  return p;
}

/** Pools: a class of identical ranges, one per student. Long operations return a job. */
export async function poolRoutes(app: FastifyInstance, opts: { engine: Engine; jobs: JobRunner }): Promise<void> {
  const { engine, jobs } = opts;

  app.get(
    '/pools',
    {
      schema: {
        operationId: 'listPools',
        tags: ['pools'],
        summary: 'Pools you own (admins: all)',
        response: { 200: { type: 'array', items: ref('Pool') } },
      },
    },
    async (req) => {
      const user = caller(req);
      requireRole(user, 'admin', 'instructor');
      return (await engine.listPools()).filter((p) => user.role === 'admin' || p.owner === user.name).map(poolView);
    },
  );

  app.post<{
    Body: {
      name: string;
      source?: string;
      blueprint_id?: number;
      size?: number;
      roster?: Array<{ name: string; email?: string }>;
      student_reset?: boolean;
      from_snapshot?: { instance: string; name: string };
    };
  }>(
    '/pools',
    {
      schema: {
        operationId: 'createPool',
        tags: ['pools'],
        summary: 'Deploy a pool: `size` copies of a blueprint (`NAME-01` …), one per roster student; returns a job',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            source: { type: 'string' },
            blueprint_id: { type: 'integer' },
            size: { type: 'integer', minimum: 1, maximum: 500 },
            roster: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name'],
                additionalProperties: false,
                properties: { name: { type: 'string' }, email: { type: 'string' } },
              },
            },
            student_reset: { type: 'boolean' },
            from_snapshot: {
              type: 'object',
              required: ['instance', 'name'],
              additionalProperties: false,
              description: 'start every copy from this snapshot of a range you manage (its blueprint is used)',
              properties: { instance: { type: 'string' }, name: { type: 'string' } },
            },
          },
        },
        response: {
          202: { ...ref('PoolJobAccepted'), headers: { location: { type: 'string', description: 'The job: /api/jobs/{id}.' } } },
        },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      requireRole(user, 'admin', 'instructor');
      const body = req.body;
      let source = body.source;
      if (body.blueprint_id !== undefined) {
        const b = await engine.access?.getBlueprint(body.blueprint_id);
        if (!b || (user.role !== 'admin' && b.owner !== user.name))
          throw new CyrangeError('CYR_NOT_FOUND', `no blueprint ${body.blueprint_id}`);
        source = b.source;
      }
      if (body.from_snapshot) source = (await loadRange(engine, user, body.from_snapshot.instance, 'manage')).source;
      if (source === undefined)
        throw new ValidationError([{ path: 'blueprint_id', message: 'give blueprint_id, source or from_snapshot' }]);
      if (body.size === undefined && !body.roster?.length) throw new ValidationError([{ path: 'size', message: 'give size or a roster' }]);
      if (await engine.pools?.get(body.name)) throw new CyrangeError('CYR_EXISTS', `pool "${body.name}" exists`);
      source = hashBlueprintPasswords(source, { stateDir: engine.config.stateDir });
      const input = {
        name: body.name,
        source,
        size: body.size ?? body.roster?.length ?? 0,
        owner: user.name,
        actor: actorOf(user),
        roster: body.roster ?? [],
        studentReset: body.student_reset ?? false,
        ...(body.from_snapshot ? { fromSnapshot: body.from_snapshot } : {}),
      };
      const job = jobs.start('deploy', body.name, user.name, (signal) => engine.withSignal(signal).createPool(input));
      // The job is stored before the client hears of it: a server killed now leaves it interrupted, not unknown.
      await jobs.flush();
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ job_id: job.id, pool: body.name });
    },
  );

  app.get<{ Params: { name: string } }>(
    '/pools/:name',
    {
      schema: {
        operationId: 'getPool',
        tags: ['pools'],
        summary: 'A pool with its copies, their students and states',
        response: { 200: ref('PoolDetail') },
      },
    },
    async (req) => {
      const p = await ownPool(engine, caller(req), req.params.name);
      const members = await Promise.all(
        p.members.map(async (m) => {
          const rec = await engine.get(m.instance);
          return {
            instance: m.instance,
            position: m.position,
            student: m.student,
            status: rec?.status ?? 'missing',
            host_count: rec?.resolved.hosts.length ?? 0,
          };
        }),
      );
      return { ...poolView(p), members };
    },
  );

  app.post<{ Params: { name: string }; Body: { size: number } }>(
    '/pools/:name/resize',
    {
      schema: {
        operationId: 'resizePool',
        tags: ['pools'],
        summary: 'Grow or shrink a pool to `size` copies; returns a job',
        body: {
          type: 'object',
          required: ['size'],
          additionalProperties: false,
          properties: { size: { type: 'integer', minimum: 0, maximum: 500 } },
        },
        response: {
          202: { ...ref('PoolJobAccepted'), headers: { location: { type: 'string', description: 'The job: /api/jobs/{id}.' } } },
        },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      const p = await ownPool(engine, user, req.params.name);
      const job = jobs.start('deploy', p.name, user.name, (signal) =>
        engine.withSignal(signal).resizePool(p.name, req.body.size, actorOf(user)),
      );
      // The job is stored before the client hears of it: a server killed now leaves it interrupted, not unknown.
      await jobs.flush();
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ job_id: job.id, pool: p.name });
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/pools/:name',
    {
      schema: {
        operationId: 'destroyPool',
        tags: ['pools'],
        summary: "Destroy every copy of a pool (and its students' assignments); returns a job",
        response: {
          202: { ...ref('PoolJobAccepted'), headers: { location: { type: 'string', description: 'The job: /api/jobs/{id}.' } } },
        },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      const p = await ownPool(engine, user, req.params.name);
      const job = jobs.start('destroy', p.name, user.name, (signal) => engine.withSignal(signal).destroyPool(p.name));
      // The job is stored before the client hears of it: a server killed now leaves it interrupted, not unknown.
      await jobs.flush();
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ job_id: job.id, pool: p.name });
    },
  );
}
