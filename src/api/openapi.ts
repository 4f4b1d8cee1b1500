import swagger from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { type JsonSchema, SCHEMAS, ref } from './schemas.js';

/** The document's tags, in the order the docs page shows them; every operation uses one of them. */
export const TAGS = [
  { name: 'users', description: 'Login, the caller and user management' },
  { name: 'tokens', description: 'API tokens, and single-use tickets for WebSockets and Server-Sent Events' },
  { name: 'blueprints', description: 'Stored blueprints, import, export and validation' },
  { name: 'ranges', description: 'Range instances: deploy, destroy, networks, stats, assignments, reset, snapshots, capture' },
  { name: 'hosts', description: 'Hosts of a range, their NICs, actions and consoles' },
  { name: 'pools', description: 'Pools: a class of identical ranges, one per student' },
  { name: 'jobs', description: 'Deploy and destroy jobs and their events' },
  { name: 'meta', description: 'Prometheus metrics' },
] as const;

const error = (description: string): JsonSchema => ({ ...ref('Error'), description });

/**
 * The error answers of a documented route, added to what the route lists itself: 401 unless it
 * needs no token, 404 when it has path parameters, 400, 413, 415 and 422 when it takes a body, and
 * the shared error schema for every other 4xx and 5xx. Each status is that of its codes in the one
 * table (ERROR_STATUS in src/model/errors.ts).
 */
function errorResponses(route: RouteOptions, schema: Record<string, unknown>): Record<string, JsonSchema> {
  const open = Array.isArray(schema.security) && schema.security.length === 0;
  return {
    ...(open ? {} : { 401: error('No valid API token (`Authorization: Bearer TOKEN`, or a `?ticket=` where one is accepted).') }),
    ...(route.url.includes(':') ? { 404: error('Not found, or not visible to the caller.') } : {}),
    ...(schema.body
      ? {
          400: error('The body does not parse (`CYR_PARSE`), or the request is malformed (`CYR_BAD_REQUEST`).'),
          413: error('The body is over 1 MiB (`CYR_TOO_LARGE`).'),
          415: error('A content type this route does not take (`CYR_UNSUPPORTED_MEDIA`).'),
          422: error('Invalid input (`CYR_INVALID`): `problems` names each field.'),
        }
      : {}),
    '4xx': error(
      'The request was refused: `code` says why (403 `CYR_FORBIDDEN`: not allowed for this role; 409 `CYR_CONFLICT`: the object is busy or not in a state for this, `CYR_EXISTS`; 429 `CYR_RATE_LIMITED`).',
    ),
    '5xx': error(
      'The operation failed (`CYR_RUNTIME`, `CYR_COMMAND_FAILED`, `CYR_DEPLOY_FAILED`, `CYR_INTERNAL`), the machine lacks something it needs (503 `CYR_UNAVAILABLE`), or it ran out of time (504 `CYR_TIMEOUT`).',
    ),
  };
}

/**
 * Registers the OpenAPI 3.1 document (`app.swagger()`): the shared schemas as components, the
 * tags, bearer authentication, and the error answers of every documented route. Call it before
 * any route is added.
 */
export async function registerOpenapi(app: FastifyInstance): Promise<void> {
  for (const [name, schema] of Object.entries(SCHEMAS)) app.addSchema({ $id: name, ...schema });
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema || schema.hide) return;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    route.schema = { ...schema, response: { ...errorResponses(route, schema), ...response } } as RouteOptions['schema'];
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Cyrange API',
        version: '0.1.0',
        description: 'Cyber ranges: isolated networks of multi-NIC hosts.',
        contact: { name: 'Cyrange' },
      },
      servers: [{ url: '/', description: 'This server' }],
      tags: [...TAGS],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    // Shared schemas keep their names: `#/components/schemas/Host`, not `def-3`.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
}
