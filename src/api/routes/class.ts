import type { FastifyInstance } from 'fastify';
import type { Engine, User } from '../../engine/index.js';
import { CyrangeError } from '../../model/index.js';
import { caller, loadRange, rangeRights } from '../auth.js';
import { ref } from '../schemas.js';

const snapshotView = (s: { name: string; hosts: readonly string[]; createdAt: string }) => ({
  name: s.name,
  hosts: s.hosts,
  created_at: s.createdAt,
});

/** Running a class: reset hosts and ranges, snapshots, and packet capture. */
export async function classRoutes(app: FastifyInstance, opts: { engine: Engine }): Promise<void> {
  const { engine } = opts;
  /** Who may reset: those who manage the range, and its students when its pool lets them. */
  const mayReset = async (name: string, user: User) => {
    const rec = await loadRange(engine, user, name, 'see');
    if (engine.access && (await rangeRights(engine.access, user, rec)).manage) return rec;
    if ((await engine.poolOf(rec.instance))?.studentReset) return rec;
    throw new CyrangeError('CYR_FORBIDDEN', `you may not reset range "${rec.instance}"`);
  };

  app.post<{ Params: { name: string; host: string } }>(
    '/ranges/:name/hosts/:host/reset',
    {
      schema: {
        operationId: 'resetHost',
        tags: ['hosts'],
        summary: 'Put a host back to its deployed state (its writes discarded; NICs, IPs and MACs stay)',
        response: { 200: ref('HostAction') },
      },
    },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      if (!rec.resolved.hosts.some((h) => h.name === req.params.host))
        throw new CyrangeError('CYR_NOT_FOUND', `no host "${req.params.host}"`);
      return { host: req.params.host, action: 'reset', steps: await engine.reset(rec.instance, req.params.host) };
    },
  );

  app.post<{ Params: { name: string } }>(
    '/ranges/:name/reset',
    {
      schema: {
        operationId: 'resetRange',
        tags: ['ranges'],
        summary: 'Put every host of a range back to its deployed state',
        response: { 200: ref('RangeReset') },
      },
    },
    async (req) => {
      const rec = await mayReset(req.params.name, caller(req));
      return { instance: rec.instance, action: 'reset', steps: await engine.reset(rec.instance) };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/ranges/:name/snapshots',
    {
      schema: {
        operationId: 'listSnapshots',
        tags: ['ranges'],
        summary: 'Snapshots of a range',
        response: { 200: { type: 'array', items: ref('Snapshot') } },
      },
    },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      return (await engine.listSnapshots(rec.instance)).map(snapshotView);
    },
  );

  app.post<{ Params: { name: string }; Body: { name: string } }>(
    '/ranges/:name/snapshots',
    {
      schema: {
        operationId: 'createSnapshot',
        tags: ['ranges'],
        summary: 'Take a consistent snapshot of a running range (its hosts are frozen while it is taken)',
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } }, additionalProperties: false },
        response: { 201: ref('Snapshot') },
      },
    },
    async (req, reply) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      return reply.code(201).send(snapshotView(await engine.createSnapshot(rec.instance, req.body.name)));
    },
  );

  app.post<{ Params: { name: string; snapshot: string } }>(
    '/ranges/:name/snapshots/:snapshot/restore',
    {
      schema: {
        operationId: 'restoreSnapshot',
        tags: ['ranges'],
        summary: "Put a range's hosts back to a snapshot",
        response: { 200: ref('Snapshot') },
      },
    },
    async (req) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      return snapshotView(await engine.restoreSnapshot(rec.instance, req.params.snapshot));
    },
  );

  app.delete<{ Params: { name: string; snapshot: string } }>(
    '/ranges/:name/snapshots/:snapshot',
    {
      schema: {
        operationId: 'removeSnapshot',
        tags: ['ranges'],
        summary: 'Remove a snapshot',
        response: { 204: { type: 'null', description: 'Removed.' } },
      },
    },
    async (req, reply) => {
      const rec = await loadRange(engine, caller(req), req.params.name, 'manage');
      await engine.removeSnapshot(rec.instance, req.params.snapshot);
      return reply.code(204).send();
    },
  );

  app.get<{
    Params: { name: string; network: string };
    Querystring: { host?: string; filter?: string; seconds?: number; ticket?: string };
  }>(
    '/ranges/:name/networks/:network/capture',
    {
      schema: {
        operationId: 'captureNetwork',
        tags: ['ranges'],
        summary:
          "Stream pcap from a network's bridge, or one host's NIC on it (?host=, ?filter= BPF, ?seconds= to stop after); authorized like a console",
        querystring: {
          type: 'object',
          properties: {
            host: { type: 'string' },
            filter: { type: 'string', maxLength: 1024 },
            seconds: { type: 'integer', minimum: 1, maximum: 86400 },
            ticket: {
              type: 'string',
              description: 'A ticket from POST /api/tickets, for a link that cannot carry the Authorization header.',
            },
          },
        },
        response: {
          200: {
            description: 'A pcap stream, until `seconds` pass or the client goes away.',
            content: { 'application/vnd.tcpdump.pcap': { schema: { type: 'string', format: 'binary' } } },
          },
        },
      },
    },
    async (req, reply) => {
      // Like a console: whoever sees the range; a student only their own hosts' traffic, never a hidden host's NIC.
      const user = caller(req);
      const rec = await loadRange(engine, user, req.params.name, 'see');
      const host = req.query.host;
      if (host !== undefined && !rec.resolved.hosts.some((h) => h.name === host))
        throw new CyrangeError('CYR_NOT_FOUND', `no host "${host}"`);
      const full = await engine.get(rec.instance);
      const carriesHidden = full?.resolved.hosts.some((h) => h.hidden && h.interfaces.some((n) => n.network === req.params.network));
      if (host === undefined && carriesHidden && engine.access && !(await rangeRights(engine.access, user, rec)).manage)
        throw new CyrangeError(
          'CYR_FORBIDDEN',
          `network "${req.params.network}" carries hosts you do not see; capture one of your hosts' NICs (?host=)`,
        );
      const stop = new AbortController();
      if (req.query.seconds !== undefined) setTimeout(() => stop.abort(), req.query.seconds * 1000).unref();
      const cap = await engine.capture({
        instance: rec.instance,
        network: req.params.network,
        host,
        filter: req.query.filter,
        signal: stop.signal,
      });
      req.raw.on('close', () => stop.abort());
      cap.done.catch(() => {});
      return reply
        .type('application/vnd.tcpdump.pcap')
        .header('content-disposition', `attachment; filename="${rec.instance}-${req.params.network}.pcap"`)
        .send(cap.stdout);
    },
  );
}
