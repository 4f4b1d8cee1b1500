import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Engine, RangeRecord } from '../engine/index.js';
import { type Actor, CyrangeError } from '../model/index.js';
import type { AccessRepo, Role, User } from '../store/index.js';

/** A new API token: shown once, stored only as its hash. */
export function newToken(): string {
  return `cyr_${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a token. Tokens are long and random, so one SHA-256 is enough. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The stored form of a password: scrypt with a random salt. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

/** Checks a password against its stored form in constant time. */
export function checkPassword(password: string, stored: string | null): boolean {
  const [kind, salt, hash] = (stored ?? '').split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64');
  const got = scryptSync(password, Buffer.from(salt, 'base64'), want.length);
  return timingSafeEqual(want, got);
}

/** Creates a user with a fresh token; returns the token, which is never shown again. */
export function createUserWithToken(access: AccessRepo, name: string, role: Role, password?: string): { user: User; token: string } {
  const user = access.createUser(name, role, password ? hashPassword(password) : null);
  const token = newToken();
  access.addToken(user.id, hashToken(token), 'created');
  return { user, token };
}

/** On first start with an empty store, `CYRANGE_ADMIN_TOKEN` becomes the first admin's token. */
export function bootstrapAdmin(access: AccessRepo, token: string | undefined): User | null {
  if (!token || access.countUsers() > 0) return null;
  const user = access.createUser('admin', 'admin');
  access.addToken(user.id, hashToken(token), 'CYRANGE_ADMIN_TOKEN');
  return user;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
  }
}

/**
 * Reads the caller from `Authorization: Bearer TOKEN`. Browsers cannot set headers on
 * WebSocket upgrades or EventSource, so those two also accept `?access_token=`.
 */
export function authenticate(access: AccessRepo) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization;
    let token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const upgrade = req.headers.upgrade === 'websocket' || req.headers.accept === 'text/event-stream';
    if (!token && upgrade) token = (req.query as { access_token?: string }).access_token;
    req.user = token ? access.userByTokenHash(hashToken(token)) : null;
    if (!req.user) {
      await reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer')
        .send({ code: 'CYR_UNAUTHORIZED', message: 'a valid API token is required' });
    }
  };
}

/** The admission actor of an API user: their role decides what a blueprint may use. */
export function actorOf(user: User): Actor {
  return { kind: 'user', name: user.name, role: user.role };
}

/** The caller; routes behind `authenticate` always have one. */
export function caller(req: FastifyRequest): User {
  if (!req.user) throw new CyrangeError('CYR_UNAUTHORIZED', 'a valid API token is required');
  return req.user;
}

/** Refuses callers whose role is not listed. */
export function requireRole(user: User, ...roles: Role[]): void {
  if (!roles.includes(user.role)) throw new CyrangeError('CYR_FORBIDDEN', `this needs role ${roles.join(' or ')}`);
}

/** What one user may do with one range. */
export interface RangeRights {
  readonly see: boolean;
  readonly manage: boolean;
}

/** Rights of a user on a range: admins all, instructors their own, students read on assigned ones. */
export function rangeRights(access: AccessRepo, user: User, rec: RangeRecord & { owner?: string | null }): RangeRights {
  if (user.role === 'admin') return { see: true, manage: true };
  if (user.role === 'instructor') {
    const own = rec.owner === user.name;
    return { see: own, manage: own };
  }
  return { see: access.assignedInstances(user.id).includes(rec.instance), manage: false };
}

/**
 * Loads a range the caller may see: an unknown range and one they may not see both answer 404,
 * so nobody learns what exists; `manage` turns a visible but read-only range into 403.
 */
export async function loadRange(engine: Engine, user: User, instance: string, need: 'see' | 'manage'): Promise<RangeRecord> {
  const rec = await engine.get(instance);
  const access = engine.access;
  if (!rec || !access) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`);
  const rights = rangeRights(access, user, rec);
  if (!rights.see) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`);
  if (need === 'manage' && !rights.manage) throw new CyrangeError('CYR_FORBIDDEN', `you may not change range "${instance}"`);
  return rec;
}
