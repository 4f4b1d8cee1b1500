import type { FastifyInstance } from 'fastify';
import { type Engine, hashBlueprintPasswords } from '../../engine/index.js';
import {
  CyrangeError,
  type ResolvedRange,
  ValidationError,
  describeChange,
  diffRanges,
  loadRawRange,
  replacementsOf,
  resolveRange,
} from '../../model/index.js';
import { actorOf, caller, loadRange } from '../auth.js';
import type { JobRunner } from '../jobs.js';
import { ref } from '../schemas.js';

interface ApplyBody {
  source?: string;
  blueprint_id?: number;
  replace?: boolean;
  dry_run?: boolean;
}

/**
 * Refuses (ValidationError, 422) the changes from `stored` to `range` that cannot be made in place,
 * before a job starts, so the answer names each field and nothing changes. `how` says what to do.
 */
export function refuseReplacements(stored: ResolvedRange, range: ResolvedRange, how: string): void {
  const refused = replacementsOf(diffRanges(stored, range));
  if (refused.length > 0)
    throw new ValidationError(
      refused.map((c) => ({
        path: c.path,
        message: `${c.from} → ${c.to} ${how} to ${c.target === 'host' ? `recreate host ${c.name}` : 'rebuild the range'} (cyrange plan FILE --name ${range.instance} lists the changes)`,
      })),
    );
}

/**
 * `PUT /ranges/:name`: a changed blueprint applied to a deployed range in place, as `cyrange deploy`
 * does on a deployed instance. The job's events are the diff's steps.
 */
export async function applyRoutes(app: FastifyInstance, opts: { engine: Engine; jobs: JobRunner }): Promise<void> {
  const { engine, jobs } = opts;
  app.put<{ Params: { name: string }; Body: ApplyBody }>(
    '/ranges/:name',
    {
      schema: {
        operationId: 'applyRange',
        tags: ['ranges'],
        summary: 'Apply a changed blueprint to a deployed range in place; returns a job whose events are the changes',
        description:
          'Only what changed is applied (hosts and networks added or removed, NICs added, removed or re-addressed, rate limits, routes, policies); hosts that did not change keep running. A change that cannot be made in place (a network subnet, gateway, egress or DHCP, a host runtime, the range cap) is refused with 422 unless `replace` is true: then that host is recreated, or for a network the range is rebuilt. `cyrange plan FILE --name NAME` lists the changes.',
        params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        body: {
          type: 'object',
          description: 'Blueprint text (`source`) or a stored blueprint (`blueprint_id`) for this instance.',
          properties: {
            source: { type: 'string', description: 'blueprint YAML or JSON text' },
            blueprint_id: { type: 'integer', minimum: 1 },
            replace: { type: 'boolean', default: false, description: 'also apply what cannot change in place' },
            dry_run: { type: 'boolean', default: false, description: 'only answer what would change (200), as `cyrange plan` does' },
          },
        },
        response: {
          200: ref('ApplyPlan'),
          202: { ...ref('JobAccepted'), headers: { location: { type: 'string', description: 'The job: /api/jobs/{id}.' } } },
          409: { ...ref('Error'), description: 'Another operation is working on this range.' },
        },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      // Who may destroy a range may change it: an admin, or the instructor who owns it.
      const rec = await loadRange(engine, user, req.params.name, 'manage');
      const body = req.body ?? {};
      let source = body.source;
      if (body.blueprint_id !== undefined) {
        const b = await engine.access?.getBlueprint(Number(body.blueprint_id));
        if (!b || (user.role !== 'admin' && b.owner !== user.name))
          throw new CyrangeError('CYR_NOT_FOUND', `no blueprint ${body.blueprint_id}`);
        source = b.source;
      }
      if (typeof source !== 'string') throw new ValidationError([{ path: 'source', message: 'give source or blueprint_id' }]);
      for (const flag of ['replace', 'dry_run'] as const)
        if (body[flag] !== undefined && typeof body[flag] !== 'boolean')
          throw new ValidationError([{ path: flag, message: 'must be true or false' }]);
      // Plain passwords stop here: the job and the store get crypt hashes.
      source = hashBlueprintPasswords(source, { instance: rec.instance, stateDir: engine.config.stateDir });
      const stored = (await engine.get(rec.instance))?.resolved ?? rec.resolved;
      const range = resolveRange(loadRawRange(source), { instance: rec.instance, pin: stored });
      await engine.admitDeploy(range, actorOf(user));
      if (body.dry_run === true) {
        const { changes } = diffRanges(stored, range);
        return reply.code(200).send({
          instance: rec.instance,
          changes: changes.map((c) => ({ kind: c.kind, summary: describeChange(c), ...(c.kind === 'replace' ? { path: c.path } : {}) })),
          replaces: changes.some((c) => c.kind === 'replace'),
        });
      }
      if (body.replace !== true) refuseReplacements(stored, range, 'cannot be changed on the running range; send replace: true');
      const job = jobs.start('deploy', rec.instance, user.name, (signal) =>
        engine
          .withSignal(signal)
          .apply(range, source as string, actorOf(user), { replace: body.replace === true, owner: rec.owner ?? user.name }),
      );
      // The job is stored before the client hears of it: a server killed now leaves it interrupted, not unknown.
      await jobs.flush();
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ job_id: job.id, instance: rec.instance });
    },
  );
}
