import type { FastifyInstance } from 'fastify';
import { type Engine, TOKEN_SCOPES, type TokenRecord, type TokenScope, issueToken } from '../../engine/index.js';
import { CyrangeError, type Problem, ValidationError } from '../../model/index.js';
import { caller, requireRole } from '../auth.js';
import { idParams, ref } from '../schemas.js';
import type { TicketBook } from '../tickets.js';
import { expiresIn } from './users.js';

function view(t: TokenRecord, current: TokenRecord | null) {
  return {
    id: t.id,
    user: t.user,
    label: t.label,
    scope: t.scope,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    expired: t.expiresAt !== null && t.expiresAt <= new Date().toISOString(),
    current: t.id === current?.id,
  };
}

/** API tokens (each user their own, admins all) and the single-use tickets for WebSockets and SSE. */
export async function tokenRoutes(app: FastifyInstance, opts: { engine: Engine; tickets: TicketBook }): Promise<void> {
  const access = () => {
    if (!opts.engine.access) throw new CyrangeError('CYR_INTERNAL', 'no access store');
    return opts.engine.access;
  };

  app.get(
    '/tokens',
    {
      schema: {
        operationId: 'listTokens',
        tags: ['tokens'],
        summary: 'List API tokens: your own (admins: everyone’s); never the secrets',
        response: { 200: { type: 'array', items: ref('Token') } },
      },
    },
    async (req) => {
      const user = caller(req);
      return (await access().listTokens(user.role === 'admin' ? undefined : user.id)).map((t) => view(t, req.token));
    },
  );

  app.post<{ Body: { user?: string; scope?: string; expires_in?: number | null; label?: string } }>(
    '/tokens',
    {
      schema: {
        operationId: 'createToken',
        tags: ['tokens'],
        summary: 'Make a token for a user (admin); the response holds it, shown only this once',
        body: {
          type: 'object',
          properties: {
            user: { type: 'string', description: 'user name; default: the caller' },
            scope: { type: 'string', enum: [...TOKEN_SCOPES], description: '`api` (default) or `metrics` (only /metrics)' },
            expires_in: { type: ['integer', 'null'], description: 'seconds until it expires; absent or null: never' },
            label: { type: 'string' },
          },
        },
        response: { 201: ref('TokenCreated') },
      },
    },
    async (req, reply) => {
      const me = caller(req);
      requireRole(me, 'admin');
      const b = req.body ?? {};
      const problems: Problem[] = [];
      const target = b.user === undefined ? me : await access().userByName(String(b.user));
      if (!target) problems.push({ path: 'user', message: `no user "${b.user}"` });
      if (b.scope !== undefined && !TOKEN_SCOPES.includes(b.scope as TokenScope))
        problems.push({ path: 'scope', message: `unknown value ${JSON.stringify(b.scope)} (valid: ${TOKEN_SCOPES.join(', ')})` });
      const expiresInS = expiresIn(b.expires_in, problems);
      if (b.label !== undefined && (typeof b.label !== 'string' || b.label.length > 64))
        problems.push({ path: 'label', message: 'must be text of at most 64 characters' });
      if (problems.length || !target) throw new ValidationError(problems);
      const { token, record } = await issueToken(access(), target.id, {
        label: b.label ?? `made by ${me.name}`,
        scope: (b.scope as TokenScope | undefined) ?? 'api',
        expiresInS,
      });
      return reply.code(201).send({ ...view(record, req.token), token });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/tokens/:id',
    {
      schema: {
        operationId: 'revokeToken',
        params: idParams,
        tags: ['tokens'],
        summary: 'Revoke a token: your own (admins: anyone’s); it stops working at once',
        response: { 204: { type: 'null', description: 'Revoked.' } },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      const t = await access().getToken(Number(req.params.id));
      // Another user's token answers like a missing one.
      if (!t || (user.role !== 'admin' && t.userId !== user.id)) throw new CyrangeError('CYR_NOT_FOUND', `no token ${req.params.id}`);
      await access().revokeToken(t.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/tickets',
    {
      schema: {
        operationId: 'createTicket',
        tags: ['tokens'],
        summary: `A single-use ticket, valid ${opts.tickets.ttlS} s, for a WebSocket or Server-Sent Events URL (?ticket=), which cannot carry the Authorization header`,
        response: { 201: ref('Ticket') },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      if (!req.token) throw new CyrangeError('CYR_UNAUTHORIZED', 'a valid API token is required');
      const ticket = opts.tickets.issue({ tokenId: req.token.id, userId: user.id });
      return reply.code(201).send({ ticket, expires_in: opts.tickets.ttlS });
    },
  );
}
