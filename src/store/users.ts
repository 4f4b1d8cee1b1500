import { CyrangeError } from '../model/index.js';
import { type Db, all, exec, first, insertId, isUniqueViolation, nowIso } from './db.js';

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

const tokenRows = (db: Db) =>
  db
    .selectFrom('tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 'u.name as user', 't.label', 't.scope', 't.created_at', 't.expires_at']);

/** Users, hashed API tokens, password hashes, blueprints and range assignments. Hashing is in `tokens.ts`. */
export class AccessRepo {
  constructor(private readonly db: Db) {}

  /** Number of users; the first admin is made only while this is 0. */
  async countUsers(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Creates a user; a taken name is CYR_EXISTS. */
  async createUser(name: string, role: Role, passwordHash: string | null = null): Promise<User> {
    if (await first(this.db.selectFrom('users').select('id').where('name', '=', name)))
      throw new CyrangeError('CYR_EXISTS', `user "${name}" already exists`);
    try {
      const id = await insertId(
        this.db.insertInto('users').values({ name, role, password_hash: passwordHash, created_at: nowIso() }).returning('id'),
      );
      return { id, name, role };
    } catch (e) {
      // Another process made it between the check and the insert.
      if (isUniqueViolation(e)) throw new CyrangeError('CYR_EXISTS', `user "${name}" already exists`, { cause: e });
      throw e;
    }
  }

  /** Every user, by name. */
  async listUsers(): Promise<User[]> {
    return (await all(this.db.selectFrom('users').select(['id', 'name', 'role']).orderBy('name'))).map(toUser);
  }

  /** A user by name, with the stored password hash for checking a login. */
  async userByName(name: string): Promise<(User & { passwordHash: string | null }) | null> {
    const r = await first(this.db.selectFrom('users').selectAll().where('name', '=', name));
    return r ? { ...toUser(r), passwordHash: r.password_hash } : null;
  }

  /** A user by id, or null. */
  async userById(id: number): Promise<User | null> {
    const r = await first(this.db.selectFrom('users').select(['id', 'name', 'role']).where('id', '=', id));
    return r ? toUser(r) : null;
  }

  /** Records a token by its hash only; `expiresAt` null (the default) never expires. */
  async addToken(
    userId: number,
    tokenHash: string,
    label: string,
    opts: { scope?: TokenScope; expiresAt?: string | null } = {},
  ): Promise<TokenRecord> {
    const id = await insertId(
      this.db
        .insertInto('tokens')
        .values({
          user_id: userId,
          token_hash: tokenHash,
          label,
          scope: opts.scope ?? 'api',
          expires_at: opts.expiresAt ?? null,
          created_at: nowIso(),
        })
        .returning('id'),
    );
    return (await this.getToken(id)) as TokenRecord;
  }

  /** The unexpired token with this hash and its user, or null. */
  async tokenByHash(tokenHash: string, now: string = nowIso()): Promise<{ token: TokenRecord; user: User } | null> {
    const r = await first(
      tokenRows(this.db)
        .select('u.role')
        .where('t.token_hash', '=', tokenHash)
        .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', now)])),
    );
    return r ? { token: toToken(r), user: toUser({ id: r.user_id, name: r.user, role: r.role }) } : null;
  }

  /** The user an unexpired `api` token hash belongs to, or null. */
  async userByTokenHash(tokenHash: string): Promise<User | null> {
    const hit = await this.tokenByHash(tokenHash);
    return hit && hit.token.scope === 'api' ? hit.user : null;
  }

  /** A token by id (expired ones too), or null. */
  async getToken(id: number): Promise<TokenRecord | null> {
    const r = await first(tokenRows(this.db).where('t.id', '=', id));
    return r ? toToken(r) : null;
  }

  /** Tokens, all or one user's, oldest first; expired ones are listed until pruned. */
  async listTokens(userId?: number): Promise<TokenRecord[]> {
    let q = tokenRows(this.db).orderBy('t.id');
    if (userId !== undefined) q = q.where('t.user_id', '=', userId);
    return (await all(q)).map(toToken);
  }

  /** Deletes a token; false when there was none with this id. */
  async revokeToken(id: number): Promise<boolean> {
    return (await exec(this.db.deleteFrom('tokens').where('id', '=', id))).changes > 0;
  }

  /** Deletes tokens that expired before `now`; returns how many. */
  async pruneExpiredTokens(now: string = nowIso()): Promise<number> {
    return (await exec(this.db.deleteFrom('tokens').where('expires_at', 'is not', null).where('expires_at', '<=', now))).changes;
  }

  /** Stores a new blueprint. */
  async createBlueprint(name: string, source: string, owner: string): Promise<BlueprintRecord> {
    const now = nowIso();
    const id = await insertId(
      this.db.insertInto('blueprints').values({ name, source, owner, created_at: now, updated_at: now }).returning('id'),
    );
    return (await this.getBlueprint(id)) as BlueprintRecord;
  }

  /** A blueprint by id, or null. */
  async getBlueprint(id: number): Promise<BlueprintRecord | null> {
    const r = await first(this.db.selectFrom('blueprints').selectAll().where('id', '=', id));
    return r ? { id: r.id, name: r.name, source: r.source, owner: r.owner, createdAt: r.created_at, updatedAt: r.updated_at } : null;
  }

  /** Blueprints, all or one owner's. */
  async listBlueprints(owner?: string): Promise<BlueprintRecord[]> {
    let q = this.db.selectFrom('blueprints').selectAll().orderBy('id');
    if (owner !== undefined) q = q.where('owner', '=', owner);
    return (await all(q)).map((r) => ({
      id: r.id,
      name: r.name,
      source: r.source,
      owner: r.owner,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  /** Replaces a blueprint's text. */
  async updateBlueprint(id: number, name: string, source: string): Promise<void> {
    await exec(this.db.updateTable('blueprints').set({ name, source, updated_at: nowIso() }).where('id', '=', id));
  }

  /** Deletes a blueprint (deployed instances keep their own copy). */
  async deleteBlueprint(id: number): Promise<void> {
    await exec(this.db.deleteFrom('blueprints').where('id', '=', id));
  }

  /** Lets a user (a student) see and reach a range instance. */
  async assign(instance: string, userId: number): Promise<void> {
    const r = await first(this.db.selectFrom('ranges').select('id').where('instance', '=', instance));
    if (!r) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`);
    await this.db
      .insertInto('range_assignments')
      .values({ range_id: r.id, user_id: userId })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Instances assigned to a user. */
  async assignedInstances(userId: number): Promise<string[]> {
    const rows = await all(
      this.db
        .selectFrom('range_assignments as a')
        .innerJoin('ranges as r', 'r.id', 'a.range_id')
        .select('r.instance')
        .where('a.user_id', '=', userId)
        .orderBy('r.instance'),
    );
    return rows.map((r) => r.instance);
  }
}
