import type { FastifyInstance } from 'fastify';
import { type Engine, hashBlueprintPasswords } from '../../engine/index.js';
import { CyrangeError, type Problem, ValidationError, loadRawRange, resolveRange } from '../../model/index.js';
import { actorOf, caller, checkRights, loadRange, requireRole, viewerOf } from '../auth.js';
import type { JobRunner } from '../jobs.js';
import type { MetricsSampler } from '../metrics.js';
import { hostBodySchema, nicBodySchema, ref } from '../schemas.js';
import { refuseReplacements } from './apply.js';
import { LiveCache } from '../live-cache.js';
import { hostView, rangeView, statsView } from '../views.js';

/** Maps model paths of a host to the API body's names (`interfaces[1].ip` → `networks[1].ip_address`). */
function apiPath(p: Problem): Problem {
  const path = p.path
    .replace(/^interfaces(\[\d+\])\.ip$/, 'networks$1.ip_address')
    .replace(/^interfaces(\[\d+\])\.network$/, 'networks$1.network_id')
    .replace(/^interfaces(\[\d+\])$/, 'networks$1')
    .replace(/^interfaces$/, 'networks');
  return { path, message: p.message.replace(/\(vms\[\d+\]\.interfaces(\[\d+\])\)/, '(networks$1)') };
}

/** Turns an API host body (multi-NIC `networks`, or the legacy `network_id` + `ip_address`) into model input. */
function hostInput(body: Record<string, unknown>): Record<string, unknown> {
  const { networks, ...rest } = body;
  if (networks === undefined) return rest;
  if (!Array.isArray(networks)) throw new ValidationError([{ path: 'networks', message: 'must be a list of {network_id, ip_address}' }]);
  const interfaces = networks.map((n: { network_id?: unknown; ip_address?: unknown }, i) => {
    if (!n || typeof n.network_id !== 'string') throw new ValidationError([{ path: `networks[${i}].network_id`, message: 'is required' }]);
    return { network: n.network_id, ip: n.ip_address ?? null };
  });
  return { ...rest, interfaces };
}

/**
 * Range instances, their networks and hosts, host actions and NIC changes. Every read goes
 * through the caller's view of the range (`loadRange`, `viewerOf`): no hidden hosts for students.
 */
export async function rangeRoutes(app: FastifyInstance, opts: { engine: Engine; jobs: JobRunner; sampler: MetricsSampler }): Promise<void> {
  const { engine, jobs, sampler } = opts;
  const live = new LiveCache(engine);
  /** A host as stored after a change (a host removed meanwhile answers 404). */
  const hostAfter = async (instance: string, host: string) => {
    const after = await engine.get(instance);
    const h = after?.resolved.hosts.find((x) => x.name === host);
    if (!after || !h) throw new CyrangeError('CYR_NOT_FOUND', `no host "${host}"`);
    return hostView(after.resolved, h);
  };
  // Any change through the API makes the next read fresh.
  app.addHook('onResponse', async (req) => {
    const name = (req.params as { name?: string } | undefined)?.name;
    if (name && req.method !== 'GET') live.invalidate(name);
  });

  app.get(
    '/ranges',
    {
      schema: {
        operationId: 'listRanges',
        tags: ['ranges'],
        summary: 'List the range instances you may see',
        response: { 200: { type: 'array', items: ref('Range') } },
      },
    },
    async (req) => {
      const access = engine.access;
      if (!access) return [];
      const viewer = await viewerOf(access, caller(req));
      return (await engine.list()).flatMap((r) => viewer.range(r) ?? []).map(rangeView);
    },
  );

  app.post<{ Body: { blueprint_id?: number; source?: string; name?: string } }>(
    '/ranges',
    {
      schema: {
        operationId: 'deployRange',
        tags: ['ranges'],
        summary: 'Deploy a blueprint as a range instance; returns a job',
        description:
          'On a deployed instance this answers as `cyrange deploy` does: the same blueprint repairs what is missing (nothing changes when nothing is), a changed one gets exactly its diff in place; a change that cannot be made in place is refused with 422 (use PUT /api/ranges/{name} with `replace`).',
        body: {
          type: 'object',
          description:
            'A stored blueprint (`blueprint_id`) or blueprint text (`source`), and an instance name (default: the blueprint name).',
          properties: { blueprint_id: { type: 'integer' }, source: { type: 'string' }, name: { type: 'string' } },
        },
        response: { 202: { ...ref('JobAccepted'), headers: { location: { type: 'string', description: 'The job: /api/jobs/{id}.' } } } },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      requireRole(user, 'admin', 'instructor');
      const body = req.body ?? {};
      let source = body.source;
      if (body.blueprint_id !== undefined) {
        const b = await engine.access?.getBlueprint(Number(body.blueprint_id));
        if (!b || (user.role !== 'admin' && b.owner !== user.name))
          throw new CyrangeError('CYR_NOT_FOUND', `no blueprint ${body.blueprint_id}`);
        source = b.source;
      }
      if (source === undefined) throw new ValidationError([{ path: 'blueprint_id', message: 'give blueprint_id or source' }]);
      // Checked before anything is created: bad input is a 422 and leaves no trace.
      // Plain passwords stop here: the job and the store get crypt hashes.
      source = hashBlueprintPasswords(source, { instance: body.name, stateDir: engine.config.stateDir });
      const fresh = resolveRange(loadRawRange(source), body.name ? { instance: body.name } : {});
      // A second deploy answers as `cyrange deploy` does: resolved against what runs (addresses kept),
      // an identical blueprint repairs, a changed one gets its diff. Whether the instance is new is the
      // engine's create to decide (atomic in the store); this read only pins and checks who may change it.
      const deployed = await engine.get(fresh.instance);
      if (deployed) await loadRange(engine, user, fresh.instance, 'manage');
      const range = deployed ? resolveRange(loadRawRange(source), { instance: fresh.instance, pin: deployed.resolved }) : fresh;
      await engine.admitDeploy(range, actorOf(user));
      if (deployed)
        refuseReplacements(deployed.resolved, range, 'cannot be changed by a deploy; PUT /api/ranges/{name} with replace: true');
      const access = engine.access;
      const job = jobs.start('deploy', range.instance, user.name, (signal) =>
        engine.withSignal(signal).apply(range, source as string, actorOf(user), {
          owner: user.name,
          // Checked again by the engine under the instance's lock: one deployed meanwhile is someone's.
          mayChange: (rec) => access && checkRights(access, user, rec, 'manage'),
        }),
      );
      // The job is stored before the client hears of it: a server killed now leaves it interrupted, not unknown.
      await jobs.flush();
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ job_id: job.id, instance: range.instance });
    },
  );

  app.get<{ Params: { name: string } }>(
    '/ranges/:name',
    {
      schema: {
        operationId: 'getRange',
        tags: ['ranges'],
        summary: 'A range with its hosts and their live state',
        response: { 200: ref('RangeDetail') },
      },
    },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'see');
      const state = rec.status === 'running' ? await live.get(rec.instance) : null;
      return {
        ...rangeView(rec),
        hosts: rec.resolved.hosts.map((h) =>
          hostView(
            rec.resolved,
            h,
            state?.hosts.find((x) => x.name === h.name),
          ),
        ),
      };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/ranges/:name',
    {
      schema: {
        operationId: 'destroyRange',
        tags: ['ranges'],
        summary: 'Destroy a range instance; returns a job',
        response: { 202: { ...ref('JobAccepted'), headers: { location: { type: 'string', description: 'The job: /api/jobs/{id}.' } } } },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      const rec = await loadRange(engine, user, req.params.name, 'manage');
      const job = jobs.start('destroy', rec.instance, user.name, (signal) => engine.withSignal(signal).destroy(rec.instance));
      // The job is stored before the client hears of it: a server killed now leaves it interrupted, not unknown.
      await jobs.flush();
      return reply.code(202).header('location', `/api/jobs/${job.id}`).send({ job_id: job.id, instance: rec.instance });
    },
  );

  app.get<{ Params: { name: string } }>(
    '/ranges/:name/networks',
    {
      schema: {
        operationId: 'listNetworks',
        tags: ['ranges'],
        summary: 'Networks of a range',
        response: { 200: { type: 'array', items: ref('Network') } },
      },
    },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'see');
      return rangeView(rec).networks;
    },
  );

  app.get<{ Params: { name: string } }>(
    '/ranges/:name/stats',
    {
      schema: {
        operationId: 'getRangeStats',
        tags: ['ranges'],
        summary: 'Per-NIC rx/tx bytes, packets and drops of the running range, as last read in the background',
        response: { 200: ref('Stats') },
      },
    },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'see');
      const sample = sampler.sample;
      return {
        sampled_at: sample.at ? new Date(sample.at).toISOString() : null,
        nics: statsView(rec, sample.nics.get(rec.instance) ?? []).map((r) => ({
          host: r.host,
          network: r.network,
          ifname: r.ifname,
          present: r.present,
          rx_bytes: r.rx_bytes,
          tx_bytes: r.tx_bytes,
          rx_packets: r.rx_packets,
          tx_packets: r.tx_packets,
          rx_dropped: r.rx_dropped,
          tx_dropped: r.tx_dropped,
          total: r.total,
        })),
      };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/ranges/:name/hosts',
    {
      schema: {
        operationId: 'listHosts',
        tags: ['hosts'],
        summary: 'Hosts of a range',
        response: { 200: { type: 'array', items: ref('Host') } },
      },
    },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'see');
      return rec.resolved.hosts.map((h) => hostView(rec.resolved, h));
    },
  );

  app.get<{ Params: { name: string; host: string } }>(
    '/ranges/:name/hosts/:host',
    { schema: { operationId: 'getHost', tags: ['hosts'], summary: 'One host', response: { 200: ref('Host') } } },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'see');
      const h = rec.resolved.hosts.find((x) => x.name === req.params.host);
      if (!h) throw new CyrangeError('CYR_NOT_FOUND', `no host "${req.params.host}"`);
      return hostView(rec.resolved, h);
    },
  );

  app.post<{ Params: { name: string }; Body: Record<string, unknown> }>(
    '/ranges/:name/hosts',
    {
      schema: {
        operationId: 'addHost',
        tags: ['hosts'],
        summary: 'Add a host with one or more NICs (built at once on a running range)',
        body: hostBodySchema,
        response: { 201: ref('Host') },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      const rec = await loadRange(engine, user, req.params.name, 'manage');
      try {
        const host = await engine.addHost(rec.instance, hostInput(req.body ?? {}), actorOf(user));
        const after = await engine.get(rec.instance);
        return reply.code(201).send(hostView(after?.resolved ?? rec.resolved, host));
      } catch (e) {
        if (e instanceof ValidationError) throw new ValidationError(e.problems.map(apiPath));
        throw e;
      }
    },
  );

  app.delete<{ Params: { name: string; host: string } }>(
    '/ranges/:name/hosts/:host',
    {
      schema: {
        operationId: 'removeHost',
        tags: ['hosts'],
        summary: 'Remove a host',
        response: { 204: { type: 'null', description: 'Removed.' } },
      },
    },
    async (req, reply) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      await engine.removeHost(rec.instance, req.params.host);
      return reply.code(204).send();
    },
  );

  for (const action of ['start', 'stop', 'restart'] as const) {
    app.post<{ Params: { name: string; host: string } }>(
      `/ranges/:name/hosts/:host/${action}`,
      {
        schema: {
          operationId: `${action}Host`,
          tags: ['hosts'],
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a host`,
          response: { 200: ref('HostAction') },
        },
      },
      async (req) => {
        const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
        const steps = await engine.host(rec.instance, req.params.host, action);
        return { host: req.params.host, action, steps };
      },
    );
  }

  app.post<{ Params: { name: string; host: string }; Body: { network_id: string; ip_address?: string | null } }>(
    '/ranges/:name/hosts/:host/interfaces',
    {
      schema: {
        operationId: 'addNic',
        tags: ['hosts'],
        summary: 'Attach a running host to one more network',
        body: nicBodySchema,
        response: { 201: ref('Host') },
      },
    },
    async (req, reply) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      const b = req.body ?? ({} as { network_id?: string });
      if (typeof b.network_id !== 'string') throw new ValidationError([{ path: 'network_id', message: 'is required' }]);
      try {
        await engine.addNic(rec.instance, req.params.host, b.network_id, b.ip_address ?? null);
      } catch (e) {
        if (e instanceof ValidationError)
          throw new ValidationError(
            e.problems.map((p) => ({
              path: p.path === 'ip' ? 'ip_address' : p.path === 'network' ? 'network_id' : p.path,
              message: p.message,
            })),
          );
        throw e;
      }
      return reply.code(201).send(await hostAfter(rec.instance, req.params.host));
    },
  );

  app.delete<{ Params: { name: string; host: string; network: string } }>(
    '/ranges/:name/hosts/:host/interfaces/:network',
    {
      schema: {
        operationId: 'removeNic',
        tags: ['hosts'],
        summary: 'Detach a host from a network (not the primary)',
        response: { 200: ref('Host') },
      },
    },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      await engine.removeNic(rec.instance, req.params.host, req.params.network);
      return hostAfter(rec.instance, req.params.host);
    },
  );

  app.post<{ Params: { name: string }; Body: { user: string } }>(
    '/ranges/:name/assignments',
    {
      schema: {
        operationId: 'assignRange',
        tags: ['ranges'],
        summary: 'Assign a range to a student',
        body: { type: 'object', properties: { user: { type: 'string' } }, required: ['user'] },
        response: { 204: { type: 'null', description: 'Assigned.' } },
      },
    },
    async (req, reply) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      const access = engine.access;
      const target = await access?.userByName(req.body?.user ?? '');
      if (!access || !target) throw new ValidationError([{ path: 'user', message: `no user "${req.body?.user}"` }]);
      await access.assign(rec.instance, target.id);
      return reply.code(204).send();
    },
  );
}
