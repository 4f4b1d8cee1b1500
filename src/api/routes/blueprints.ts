import type { FastifyInstance } from 'fastify';
import { stringify as toYaml } from 'yaml';
import { type BlueprintRecord, type Engine, type User, hashBlueprintPasswords } from '../../engine/index.js';
import { CyrangeError, type ResolvedRange, ValidationError, loadRawRange, resolveRange } from '../../model/index.js';
import { actorOf, caller, requireRole } from '../auth.js';
import { blueprintBodySchema, idParams, ref } from '../schemas.js';

/** Parses, resolves and admits blueprint text for `user`; every problem comes back as a 422 with its path. */
function check(engine: Engine, user: User, source: string): ResolvedRange {
  const r = resolveRange(loadRawRange(source));
  engine.admit(r, actorOf(user));
  return r;
}

/** A body is `{ source }` (YAML or JSON text), a blueprint object, or raw YAML with a YAML content type. */
function sourceOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && typeof (body as { source?: unknown }).source === 'string')
    return (body as { source: string }).source;
  if (body && typeof body === 'object') return JSON.stringify(body, null, 2);
  throw new ValidationError([{ path: 'source', message: 'is required: blueprint YAML or JSON text' }]);
}

function view(b: BlueprintRecord) {
  return { id: b.id, name: b.name, owner: b.owner, source: b.source, created_at: b.createdAt, updated_at: b.updatedAt };
}

async function load(engine: Engine, user: User, id: number): Promise<BlueprintRecord> {
  const b = await engine.access?.getBlueprint(id);
  // Another instructor's blueprint answers like a missing one.
  if (!b || (user.role !== 'admin' && b.owner !== user.name)) throw new CyrangeError('CYR_NOT_FOUND', `no blueprint ${id}`);
  return b;
}

/** Blueprint CRUD, YAML import/export and a dry validation that returns the plan. */
export async function blueprintRoutes(app: FastifyInstance, opts: { engine: Engine }): Promise<void> {
  const { engine } = opts;
  const access = () => {
    if (!engine.access) throw new CyrangeError('CYR_INTERNAL', 'no access store');
    return engine.access;
  };

  app.get(
    '/blueprints',
    {
      schema: {
        operationId: 'listBlueprints',
        tags: ['blueprints'],
        summary: 'List blueprints (instructors see their own)',
        response: { 200: { type: 'array', items: ref('Blueprint') } },
      },
    },
    async (req) => {
      const user = caller(req);
      requireRole(user, 'admin', 'instructor');
      return (await access().listBlueprints(user.role === 'admin' ? undefined : user.name)).map(view);
    },
  );

  app.post(
    '/blueprints',
    {
      schema: {
        operationId: 'createBlueprint',
        tags: ['blueprints'],
        summary: 'Create or import a blueprint (JSON, or YAML with Content-Type application/yaml)',
        body: blueprintBodySchema,
        response: { 201: ref('Blueprint') },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      requireRole(user, 'admin', 'instructor');
      const source = hashBlueprintPasswords(sourceOf(req.body), { stateDir: engine.config.stateDir });
      const { name } = check(engine, user, source);
      return reply.code(201).send(view(await access().createBlueprint(name, source, user.name)));
    },
  );

  app.post(
    '/blueprints/validate',
    {
      schema: {
        operationId: 'validateBlueprint',
        tags: ['blueprints'],
        summary: 'Validate a blueprint and return its plan (nothing is stored)',
        body: blueprintBodySchema,
        response: { 200: ref('Plan') },
      },
    },
    async (req) => {
      const user = caller(req);
      requireRole(user, 'admin', 'instructor');
      return check(engine, user, hashBlueprintPasswords(sourceOf(req.body), { stateDir: engine.config.stateDir }));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/blueprints/:id',
    {
      schema: {
        operationId: 'getBlueprint',
        params: idParams,
        tags: ['blueprints'],
        summary: 'Get a blueprint',
        response: { 200: ref('Blueprint') },
      },
    },
    async (req) => {
      return view(await load(engine, caller(req), Number(req.params.id)));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/blueprints/:id/export',
    {
      schema: {
        operationId: 'exportBlueprint',
        params: idParams,
        tags: ['blueprints'],
        summary: 'Export a blueprint as YAML',
        response: { 200: { description: 'The blueprint as YAML.', content: { 'application/yaml': { schema: { type: 'string' } } } } },
      },
    },
    async (req, reply) => {
      const b = await load(engine, caller(req), Number(req.params.id));
      const text = b.source.trimStart().startsWith('{') ? toYaml(JSON.parse(b.source)) : b.source;
      return reply.type('application/yaml').header('content-disposition', `attachment; filename="${b.name}.yaml"`).send(text);
    },
  );

  app.put<{ Params: { id: string } }>(
    '/blueprints/:id',
    {
      schema: {
        operationId: 'updateBlueprint',
        params: idParams,
        tags: ['blueprints'],
        summary: 'Replace a blueprint',
        body: blueprintBodySchema,
        response: { 200: ref('Blueprint') },
      },
    },
    async (req) => {
      const user = caller(req);
      const b = await load(engine, user, Number(req.params.id));
      const source = hashBlueprintPasswords(sourceOf(req.body), { stateDir: engine.config.stateDir });
      const { name } = check(engine, user, source);
      await access().updateBlueprint(b.id, name, source);
      return view(await load(engine, user, b.id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/blueprints/:id',
    {
      schema: {
        operationId: 'deleteBlueprint',
        params: idParams,
        tags: ['blueprints'],
        summary: 'Delete a blueprint',
        response: { 204: { type: 'null', description: 'Deleted.' } },
      },
    },
    async (req, reply) => {
      const b = await load(engine, caller(req), Number(req.params.id));
      await access().deleteBlueprint(b.id);
      return reply.code(204).send();
    },
  );
}
