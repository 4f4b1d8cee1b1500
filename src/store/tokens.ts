import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ValidationError } from '../model/index.js';
import type { AccessRepo, Role, TokenRecord, TokenScope, User } from './users.js';

// Secrets are stored only as hashes; this is the one place that makes and checks them, for the CLI and the API alike.

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A new API token: shown once, stored only as its hash. */
export function newToken(): string {
  return `cyr_${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a token. Tokens are long and random, so one SHA-256 is enough. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The stored form of a password: scrypt with a random salt, computed off the event loop. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${(await scryptAsync(password, salt, 32)).toString('base64')}`;
}

// Checked when the user or their password is missing, so both cost the same time as a wrong password.
const DECOY = { salt: randomBytes(16), hash: Buffer.alloc(32) };

/** Checks a password against its stored form in constant time, off the event loop; a missing one costs as much and fails. */
export async function checkPassword(password: string, stored: string | null): Promise<boolean> {
  const [kind, salt, hash] = (stored ?? '').split('$');
  const real = kind === 'scrypt' && !!salt && !!hash;
  const want = real ? Buffer.from(hash, 'base64') : DECOY.hash;
  const got = await scryptAsync(password, real ? Buffer.from(salt, 'base64') : DECOY.salt, want.length);
  return real && timingSafeEqual(want, got);
}

/** What a new token is for and how long it lives (`expiresInS` null or absent: never expires). */
export interface TokenOptions {
  readonly label: string;
  readonly scope?: TokenScope;
  readonly expiresInS?: number | null;
}

/** Makes a token for a user and stores its hash; returns the token, which is never shown again. */
export async function issueToken(access: AccessRepo, userId: number, opts: TokenOptions): Promise<{ token: string; record: TokenRecord }> {
  const s = opts.expiresInS;
  if (s !== undefined && s !== null && !(Number.isInteger(s) && s > 0))
    throw new ValidationError([{ path: 'expires_in', message: `${s} must be a whole number of seconds above 0` }]);
  const token = newToken();
  const expiresAt = s ? new Date(Date.now() + s * 1000).toISOString() : null;
  const record = await access.addToken(userId, hashToken(token), opts.label, { scope: opts.scope ?? 'api', expiresAt });
  return { token, record };
}

/** Creates a user with a fresh token; returns the token, which is never shown again. */
export async function createUserWithToken(
  access: AccessRepo,
  name: string,
  role: Role,
  password?: string,
  token: Omit<TokenOptions, 'label'> = {},
): Promise<{ user: User; token: string; record: TokenRecord }> {
  const hash = password ? await hashPassword(password) : null;
  const user = await access.createUser(name, role, hash);
  return { user, ...(await issueToken(access, user.id, { label: 'created', ...token })) };
}

/** On first start with an empty store, `CYRANGE_ADMIN_TOKEN` becomes the first admin's token. */
export async function bootstrapAdmin(access: AccessRepo, token: string | undefined): Promise<User | null> {
  if (!token || (await access.countUsers()) > 0) return null;
  const user = await access.createUser('admin', 'admin');
  await access.addToken(user.id, hashToken(token), 'CYRANGE_ADMIN_TOKEN');
  return user;
}
