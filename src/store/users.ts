import { CyrangeError } from '../model/index.js';
import { type SqliteConnection, all, exec, first, nowIso, qb } from './db.js';

/** What a user may do: everything, their own blueprints and ranges, or only assigned ranges. */
export type Role = 'admin' | 'instructor' | 'student';
/** Every role, most powerful first. */
export const ROLES: readonly Role[] = ['admin', 'instructor', 'student'];

/** A user as the API sees it; secrets never leave the store. */
export interface User {
  readonly id: number;
  readonly name: string;
  readonly role: Role;
}

/** A stored blueprint (the user's YAML/JSON text, kept as written). */
export interface BlueprintRecord {
  readonly id: number;
  readonly name: string;
  readonly source: string;
  readonly owner: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a token may reach: every route its user's role allows, or only `/metrics`. */
export type TokenScope = 'api' | 'metrics';
/** Every token scope. */
export const TOKEN_SCOPES: readonly TokenScope[] = ['api', 'metrics'];

/** A stored API token, without its hash. */
export interface TokenRecord {
  readonly id: number;
  readonly userId: number;
  readonly user: string;
  readonly label: string;
  readonly scope: TokenScope;
  readonly createdAt: string;
  /** ISO time after which the token no longer works, or null for never. */
  readonly expiresAt: string | null;
}

const toUser = (r: { id: number; name: string; role: string }): User => ({ id: r.id, name: r.name, role: r.role as Role });

interface TokenRow {
  id: number;
  user_id: number;
  user: string;
  label: string;
  scope: string;
  created_at: string;
  expires_at: string | null;
}

const toToken = (r: TokenRow): TokenRecord => ({
  id: r.id,
  userId: r.user_id,
  user: r.user,
  label: r.label,
  scope: r.scope as TokenScope,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

const tokenRows = () =>
  qb
    .selectFrom('tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 'u.name as user', 't.label', 't.scope', 't.created_at', 't.expires_at']);

/** Users, hashed API tokens, password hashes, blueprints and range assignments. Hashing is in `tokens.ts`. */
export class AccessRepo {
  constructor(private readonly conn: SqliteConnection) {}

  /** Number of users; the first admin is made only while this is 0. */
  countUsers(): number {
    return (this.conn.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  /** Creates a user; a taken name is CYR_EXISTS. */
  createUser(name: string, role: Role, passwordHash: string | null = null): User {
    if (first(this.conn, qb.selectFrom('users').select('id').where('name', '=', name)))
      throw new CyrangeError('CYR_EXISTS', `user "${name}" already exists`);
    const { id } = exec(this.conn, qb.insertInto('users').values({ name, role, password_hash: passwordHash, created_at: nowIso() }));
    return { id, name, role };
  }

  /** Every user, by name. */
  listUsers(): User[] {
    return all(this.conn, qb.selectFrom('users').select(['id', 'name', 'role']).orderBy('name')).map(toUser);
  }

  /** A user by name, with the stored password hash for checking a login. */
  userByName(name: string): (User & { passwordHash: string | null }) | null {
    const r = first(this.conn, qb.selectFrom('users').selectAll().where('name', '=', name));
    return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
  }

  /** A user by id, or null. */
  userById(id: number): User | null {
    const r = first(this.conn, qb.selectFrom('users').select(['id', 'name', 'role']).where('id', '=', id));
    return r ? toUser(r) : null;
  }

  /** Records a token by its hash only; `expiresAt` null (the default) never expires. */
  addToken(userId: number, tokenHash: string, label: string, opts: { scope?: TokenScope; expiresAt?: string | null } = {}): TokenRecord {
    const { id } = exec(
      this.conn,
      qb.insertInto('tokens').values({
        user_id: userId,
        token_hash: tokenHash,
        label,
        scope: opts.scope ?? 'api',
        expires_at: opts.expiresAt ?? null,
        created_at: nowIso(),
      }),
    );
    return this.getToken(id) as TokenRecord;
  }

  /** The unexpired token with this hash and its user, or null. */
  tokenByHash(tokenHash: string, now: string = nowIso()): { token: TokenRecord; user: User } | null {
    const r = first(
      this.conn,
      tokenRows()
        .select('u.role')
        .where('t.token_hash', '=', tokenHash)
        .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', now)])),
    );
    return r ? { token: toToken(r), user: toUser({ id: r.user_id, name: r.user, role: r.role }) } : null;
  }

  /** The user an unexpired `api` token hash belongs to, or null. */
  userByTokenHash(tokenHash: string): User | null {
    const hit = this.tokenByHash(tokenHash);
    return hit && hit.token.scope === 'api' ? hit.user : null;
  }

  /** A token by id (expired ones too), or null. */
  getToken(id: number): TokenRecord | null {
    const r = first(this.conn, tokenRows().where('t.id', '=', id));
    return r ? toToken(r) : null;
  }

  /** Tokens, all or one user's, oldest first; expired ones are listed until pruned. */
  listTokens(userId?: number): TokenRecord[] {
    let q = tokenRows().orderBy('t.id');
    if (userId !== undefined) q = q.where('t.user_id', '=', userId);
    return all(this.conn, q).map(toToken);
  }

  /** Deletes a token; false when there was none with this id. */
  revokeToken(id: number): boolean {
    return exec(this.conn, qb.deleteFrom('tokens').where('id', '=', id)).changes > 0;
  }

  /** Deletes tokens that expired before `now`; returns how many. */
  pruneExpiredTokens(now: string = nowIso()): number {
    return exec(this.conn, qb.deleteFrom('tokens').where('expires_at', 'is not', null).where('expires_at', '<=', now)).changes;
  }

  /** Stores a new blueprint. */
  createBlueprint(name: string, source: string, owner: string): BlueprintRecord {
    const now = nowIso();
    const { id } = exec(this.conn, qb.insertInto('blueprints').values({ name, source, owner, created_at: now, updated_at: now }));
    return this.getBlueprint(id) as BlueprintRecord;
  }

  /** A blueprint by id, or null. */
  getBlueprint(id: number): BlueprintRecord | null {
    const r = first(this.conn, qb.selectFrom('blueprints').selectAll().where('id', '=', id));
    return r ? { id: r.id, name: r.name, source: r.source, owner: r.owner, createdAt: r.created_at, updatedAt: r.updated_at } : null;
  }

  /** Blueprints, all or one owner's. */
  listBlueprints(owner?: string): BlueprintRecord[] {
    let q = qb.selectFrom('blueprints').selectAll().orderBy('id');
    if (owner !== undefined) q = q.where('owner', '=', owner);
    return all(this.conn, q).map((r) => ({
      id: r.id,
      name: r.name,
      source: r.source,
      owner: r.owner,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  /** Replaces a blueprint's text. */
  updateBlueprint(id: number, name: string, source: string): void {
    exec(this.conn, qb.updateTable('blueprints').set({ name, source, updated_at: nowIso() }).where('id', '=', id));
  }

  /** Deletes a blueprint (deployed instances keep their own copy). */
  deleteBlueprint(id: number): void {
    exec(this.conn, qb.deleteFrom('blueprints').where('id', '=', id));
  }

  /** Lets a user (a student) see and reach a range instance. */
  assign(instance: string, userId: number): void {
    const r = first(this.conn, qb.selectFrom('ranges').select('id').where('instance', '=', instance));
    if (!r) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`);
    this.conn.prepare('INSERT OR IGNORE INTO range_assignments (range_id, user_id) VALUES (?, ?)').run(r.id, userId);
  }

  /** Instances assigned to a user. */
  assignedInstances(userId: number): string[] {
    return all(
      this.conn,
      qb
        .selectFrom('range_assignments as a')
        .innerJoin('ranges as r', 'r.id', 'a.range_id')
        .select('r.instance')
        .where('a.user_id', '=', userId)
        .orderBy('r.instance'),
    ).map((r) => r.instance);
  }
}
