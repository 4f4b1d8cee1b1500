import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/index.js';
import { CyrangeError, ValidationError } from '../../model/index.js';
import { ROLES, type Role } from '../../store/index.js';
import { caller, checkPassword, createUserWithToken, hashToken, newToken, requireRole } from '../auth.js';

/** Login, the caller, and user management (admins any role; instructors students). */
export async function userRoutes(app: FastifyInstance, opts: { engine: Engine }): Promise<void> {
  const access = () => {
    if (!opts.engine.access) throw new CyrangeError('CYR_INTERNAL', 'no access store');
    return opts.engine.access;
  };

  app.get('/me', { schema: { tags: ['users'], summary: 'The caller' } }, async (req) => {
    const u = caller(req);
    return { ...u, assigned: access().assignedInstances(u.id) };
  });

  app.get('/users', { schema: { tags: ['users'], summary: 'List users (admin)' } }, async (req) => {
    requireRole(caller(req), 'admin');
    return access().listUsers();
  });

  app.post<{ Body: { name?: string; role?: string; password?: string } }>(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user; the response holds their API token, shown only this once',
        body: {
          type: 'object',
          properties: { name: { type: 'string' }, role: { type: 'string', enum: [...ROLES] }, password: { type: 'string' } },
          required: ['name', 'role'],
        },
      },
    },
    async (req, reply) => {
      const user = caller(req);
      const b = req.body ?? {};
      const problems = [];
      if (!b.name || !/^[a-z0-9][a-z0-9._-]{0,31}$/.test(b.name))
        problems.push({ path: 'name', message: `"${b.name ?? ''}" must match [a-z0-9._-], 1..32 chars` });
      if (!ROLES.includes(b.role as Role))
        problems.push({ path: 'role', message: `unknown value ${JSON.stringify(b.role)} (valid: ${ROLES.join(', ')})` });
      if (b.password !== undefined && b.password.length < 8)
        problems.push({ path: 'password', message: 'must have at least 8 characters' });
      if (problems.length) throw new ValidationError(problems);
      if (user.role === 'instructor' && b.role !== 'student') throw new CyrangeError('CYR_FORBIDDEN', 'instructors create students only');
      if (user.role === 'student') throw new CyrangeError('CYR_FORBIDDEN', 'students cannot create users');
      const made = createUserWithToken(access(), b.name as string, b.role as Role, b.password);
      return reply.code(201).send({ ...made.user, token: made.token });
    },
  );
}

/** Password login, the one route without a token: returns a new API token. */
export async function loginRoute(app: FastifyInstance, opts: { engine: Engine }): Promise<void> {
  app.post<{ Body: { username?: string; password?: string } }>(
    '/login',
    {
      schema: {
        tags: ['users'],
        summary: 'Exchange a user name and password for an API token',
        body: {
          type: 'object',
          properties: { username: { type: 'string' }, password: { type: 'string' } },
          required: ['username', 'password'],
        },
      },
    },
    async (req) => {
      const access = opts.engine.access;
      const u = access?.userByName(req.body?.username ?? '');
      if (!access || !u || !checkPassword(req.body?.password ?? '', u.passwordHash))
        throw new CyrangeError('CYR_UNAUTHORIZED', 'wrong user name or password');
      const token = newToken();
      access.addToken(u.id, hashToken(token), 'login');
      return { token, user: { id: u.id, name: u.name, role: u.role } };
    },
  );
}
