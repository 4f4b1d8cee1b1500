import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type Engine, ROLES, type Role, checkPassword, createUserWithToken, issueToken } from '../../engine/index.js';
import { CyrangeError, type Problem, ValidationError } from '../../model/index.js';
import { caller, requireRole } from '../auth.js';
import { ref } from '../schemas.js';

/** `expires_in` of a body: absent or null (never), or whole seconds above 0. */
export function expiresIn(v: unknown, problems: Problem[]): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  problems.push({ path: 'expires_in', message: `${JSON.stringify(v)} must be a whole number of seconds above 0, or null` });
  return null;
}

/** The caller, and user management (admins any role; instructors students). */
export async function userRoutes(app: FastifyInstance, opts: { engine: Engine }): Promise<void> {
  const access = () => {
    if (!opts.engine.access) throw new CyrangeError('CYR_INTERNAL', 'no access store');
    return opts.engine.access;
  };

  app.get(
    '/me',
    { schema: { operationId: 'getMe', tags: ['users'], summary: 'The caller', response: { 200: ref('Me') } } },
    async (req) => {
      const u = caller(req);
      return {
        ...u,
        assigned: await access().assignedInstances(u.id),
        token: { id: req.token?.id, expires_at: req.token?.expiresAt ?? null },
      };
    },
  );

  app.get(
    '/users',
    {
      schema: {
        operationId: 'listUsers',
        tags: ['users'],
        summary: 'List users (admin)',
        response: { 200: { type: 'array', items: ref('User') } },
      },
    },
    async (req) => {
      requireRole(caller(req), 'admin');
      return await access().listUsers();
    },
  );

  app.post<{ Body: { name?: string; role?: string; password?: string; expires_in?: number | null } }>(
    '/users',
    {
      schema: {
        operationId: 'createUser',
        tags: ['users'],
        summary: 'Create a user; the response holds their API token, shown only this once',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            role: { type: 'string', enum: [...ROLES] },
            password: { type: 'string' },
            expires_in: { type: ['integer', 'null'], description: "seconds the new user's token lives; absent or null: no expiry" },
          },
          required: ['name', 'role'],
        },
        response: { 201: ref('UserCreated') },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      const b = req.body ?? {};
      if (user.role === 'student') throw new CyrangeError('CYR_FORBIDDEN', 'students cannot create users');
      const problems: Problem[] = [];
      if (!b.name || !/^[a-z0-9][a-z0-9._-]{0,31}$/.test(b.name))
        problems.push({ path: 'name', message: `"${b.name ?? ''}" must match [a-z0-9._-], 1..32 chars` });
      if (!ROLES.includes(b.role as Role))
        problems.push({ path: 'role', message: `unknown value ${JSON.stringify(b.role)} (valid: ${ROLES.join(', ')})` });
      if (b.password !== undefined && (typeof b.password !== 'string' || b.password.length < 8))
        problems.push({ path: 'password', message: 'must have at least 8 characters' });
      const expiresInS = expiresIn(b.expires_in, problems);
      if (problems.length) throw new ValidationError(problems);
      if (user.role === 'instructor' && b.role !== 'student') throw new CyrangeError('CYR_FORBIDDEN', 'instructors create students only');
      const made = await createUserWithToken(access(), b.name as string, b.role as Role, b.password, { expiresInS });
      return reply.code(201).send({ ...made.user, token: made.token, token_id: made.record.id, expires_at: made.record.expiresAt });
    },
  );
}

/** How failed logins are limited: at most `perUser` per user name and `perAddress` per client address in `windowMs`. */
export interface LoginLimits {
  readonly perUser: number;
  readonly perAddress: number;
  readonly windowMs: number;
}

/** Password checks one client address may have running at once (scrypt runs on libuv's four threads). */
const IN_FLIGHT_PER_ADDRESS = 4;

/** Five wrong passwords per user, twenty per address, in five minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUser: 5, perAddress: 20, windowMs: 5 * 60_000 };

function tooMany(reply: FastifyReply, seconds: number) {
  return reply
    .code(429)
    .header('retry-after', String(Math.max(1, seconds)))
    .send({ code: 'CYR_RATE_LIMITED', message: `too many failed logins; retry in ${Math.max(1, seconds)} s` });
}

/**
 * Password login, the one route without a token: returns a new API token that expires after
 * `loginTtlS`. Failed logins are limited per user name and per client address (429 with
 * Retry-After); one attempt per name and a few per address run at a time, so a flood never
 * queues password hashes, which run off the event loop.
 */
export async function loginRoute(app: FastifyInstance, opts: { engine: Engine; limits: LoginLimits; loginTtlS: number }): Promise<void> {
  await app.register(rateLimit, { global: false });
  const nameOf = (body: unknown) =>
    String((body as { username?: unknown } | null)?.username ?? '')
      .trim()
      .toLowerCase()
      .slice(0, 64);
  const { perUser, perAddress, windowMs } = opts.limits;
  const limiters = [
    app.createRateLimit({ max: perAddress, timeWindow: windowMs, keyGenerator: (req) => `address:${req.ip}` }),
    app.createRateLimit({ max: perUser, timeWindow: windowMs, keyGenerator: (req) => `user:${nameOf(req.body)}` }),
  ];
  // Password checks under way per key: one per user name, a few per address (a classroom may share one).
  const inFlight = new Map<string, number>();
  const cap = (key: string) => (key.startsWith('user:') ? 1 : IN_FLIGHT_PER_ADDRESS);

  app.post<{ Body: { username?: string; password?: string } }>(
    '/login',
    {
      schema: {
        operationId: 'login',
        tags: ['users'],
        summary: 'Exchange a user name and password for an API token (expires; failed logins are rate-limited)',
        security: [],
        body: {
          type: 'object',
          properties: { username: { type: 'string' }, password: { type: 'string' } },
          required: ['username', 'password'],
        },
        response: {
          200: ref('Login'),
          401: { ...ref('Error'), description: 'Wrong user name or password.' },
          429: {
            ...ref('Error'),
            description: 'Too many failed logins for this user name or client address.',
            headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait.' } },
          },
        },
      },
    },
    async (req, reply) => {
      const access = opts.engine.access;
      if (!access) throw new CyrangeError('CYR_INTERNAL', 'no access store');
      const keys = [`address:${req.ip}`, `user:${nameOf(req.body)}`];
      if (keys.some((k) => (inFlight.get(k) ?? 0) >= cap(k))) return tooMany(reply, 1);
      const peek = await Promise.all(limiters.map((l) => l(req, { increment: false })));
      const over = peek.filter((l) => !l.isAllowed && l.remaining === 0 && l.ttl > 0);
      if (over.length) return tooMany(reply, Math.max(...over.map((l) => (l.isAllowed ? 0 : l.ttlInSeconds))));
      const u = await access.userByName(req.body?.username ?? '');
      for (const k of keys) inFlight.set(k, (inFlight.get(k) ?? 0) + 1);
      let ok = false;
      try {
        ok = await checkPassword(String(req.body?.password ?? ''), u?.passwordHash ?? null);
      } finally {
        for (const k of keys) {
          const n = (inFlight.get(k) ?? 1) - 1;
          if (n > 0) inFlight.set(k, n);
          else inFlight.delete(k);
        }
      }
      if (!u || !ok) {
        await Promise.all(limiters.map((l) => l(req)));
        throw new CyrangeError('CYR_UNAUTHORIZED', 'wrong user name or password');
      }
      await access.pruneExpiredTokens();
      const { token, record } = await issueToken(access, u.id, { label: 'login', expiresInS: opts.loginTtlS });
      return { token, token_id: record.id, expires_at: record.expiresAt, user: { id: u.id, name: u.name, role: u.role } };
    },
  );
}
