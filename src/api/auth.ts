import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AccessRepo, type Engine, type RangeRecord, type Role, type TokenRecord, type User, hashToken } from '../engine/index.js';
import { type Actor, CyrangeError } from '../model/index.js';
import type { TicketBook } from './tickets.js';
import { type RangeRights, visibleRange } from './views.js';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
    /** The token the caller authenticated with (a ticket's token for WebSockets and SSE). */
    token: TokenRecord | null;
  }
}

/** The bearer token of a request, if it sent one. */
export function bearerOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7).trim() || undefined : undefined;
}

/** Whether a request is one a browser cannot add a header to: a WebSocket upgrade or an EventSource (both GET). */
function headerless(req: FastifyRequest): boolean {
  if (req.method !== 'GET') return false;
  // Packet captures are downloads a browser starts from a link, which cannot carry a header either.
  const path = req.url.split('?')[0] ?? '';
  return (
    req.headers.upgrade?.toLowerCase() === 'websocket' ||
    (req.headers.accept ?? '').includes('text/event-stream') ||
    path.endsWith('/capture')
  );
}

async function refuse(reply: FastifyReply, status: 401 | 403, message: string): Promise<void> {
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer');
  await reply.code(status).send({ code: status === 401 ? 'CYR_UNAUTHORIZED' : 'CYR_FORBIDDEN', message });
}

/**
 * Reads the caller from `Authorization: Bearer TOKEN`. WebSocket upgrades and EventSource
 * requests, which browsers send without headers, may instead carry `?ticket=` from
 * `POST /api/tickets`: single use, 30 s, never the token itself. Only `api`-scope tokens pass.
 */
export function authenticate(access: AccessRepo, tickets: TicketBook) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    req.user = null;
    req.token = null;
    const bearer = bearerOf(req);
    let hit: { token: TokenRecord; user: User } | null = null;
    if (bearer) hit = await access.tokenByHash(hashToken(bearer));
    else {
      const ticket = (req.query as { ticket?: unknown } | undefined)?.ticket;
      const grant = typeof ticket === 'string' && headerless(req) ? tickets.consume(ticket) : null;
      const token = grant ? await access.getToken(grant.tokenId) : null;
      // The ticket's token must still be valid: revoking or expiring it kills its tickets.
      if (token && (token.expiresAt === null || token.expiresAt > new Date().toISOString())) {
        const user = await access.userById(token.userId);
        if (user) hit = { token, user };
      }
    }
    if (!hit) return refuse(reply, 401, 'a valid API token is required');
    if (hit.token.scope !== 'api') return refuse(reply, 403, `a ${hit.token.scope} token only reads /metrics`);
    req.user = hit.user;
    req.token = hit.token;
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

/** Rights of a user on a range: admins all, instructors their own, students read on assigned ones. */
export async function rangeRights(access: AccessRepo, user: User, rec: RangeRecord & { owner?: string | null }): Promise<RangeRights> {
  if (user.role === 'admin') return { see: true, manage: true };
  if (user.role === 'instructor') {
    const own = rec.owner === user.name;
    return { see: own, manage: own };
  }
  return { see: (await access.assignedInstances(user.id)).includes(rec.instance), manage: false };
}

/**
 * The ranges one caller may see, each as they may see it: every range view a caller receives
 * (ranges, hosts, consoles, jobs, stats, metrics) is built from what this returns, so hidden
 * hosts never reach someone who does not manage the range.
 */
export async function viewerOf(access: AccessRepo, user: User) {
  // Assignments are read once per viewer, not once per range.
  const assigned = user.role === 'student' ? new Set(await access.assignedInstances(user.id)) : null;
  const own = (rec: RangeRecord & { owner?: string | null }) => user.role === 'admin' || rec.owner === user.name;
  const rights = (rec: RangeRecord): RangeRights =>
    assigned ? { see: assigned.has(rec.instance), manage: false } : { see: own(rec), manage: own(rec) };
  return {
    user,
    rights,
    /** The range as this caller may see it, or null when they may not see it at all. */
    range: (rec: RangeRecord): RangeRecord | null => {
      const r = rights(rec);
      return r.see ? visibleRange(rec, r) : null;
    },
  };
}

/** A caller's view of ranges; see `viewerOf`. */
export type Viewer = Awaited<ReturnType<typeof viewerOf>>;

/**
 * Loads a range the caller may see, as they may see it (no hidden hosts unless they manage it):
 * an unknown range and one they may not see both answer 404, so nobody learns what exists;
 * `manage` turns a visible but read-only range into 403.
 */
export async function loadRange(engine: Engine, user: User, instance: string, need: 'see' | 'manage'): Promise<RangeRecord> {
  const rec = await engine.get(instance);
  const access = engine.access;
  if (!rec || !access) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`);
  return visibleRange(rec, await checkRights(access, user, rec, need));
}

/** The caller's rights on a stored range; throws 404 when they may not see it, 403 when `manage` is needed and not theirs. */
export async function checkRights(access: AccessRepo, user: User, rec: RangeRecord, need: 'see' | 'manage'): Promise<RangeRights> {
  const rights = await rangeRights(access, user, rec);
  if (!rights.see) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${rec.instance}"`);
  if (need === 'manage' && !rights.manage) throw new CyrangeError('CYR_FORBIDDEN', `you may not change range "${rec.instance}"`);
  return rights;
}
