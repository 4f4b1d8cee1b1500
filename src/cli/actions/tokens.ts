import { TOKEN_SCOPES, type TokenScope, issueToken } from '../../engine/index.js';
import { CyrangeError, type Problem, ValidationError } from '../../model/index.js';
import { withAccess } from '../context.js';
import { printJson, table } from '../output.js';

/** What `token create` takes. */
export interface TokenCreateOptions {
  user?: string;
  scope: string;
  expiresIn?: string;
  label: string;
}

/** `token create`: prints the new token once. */
export async function tokenCreate(o: TokenCreateOptions): Promise<void> {
  const problems: Problem[] = [];
  if (!TOKEN_SCOPES.includes(o.scope as TokenScope))
    problems.push({ path: '--scope', message: `unknown value "${o.scope}" (valid: ${TOKEN_SCOPES.join(', ')})` });
  const seconds = o.expiresIn === undefined ? null : Number(o.expiresIn);
  if (seconds !== null && !(Number.isInteger(seconds) && seconds > 0))
    problems.push({ path: '--expires-in', message: `"${o.expiresIn}" must be a whole number of seconds above 0` });
  if (problems.length) throw new ValidationError(problems);
  await withAccess(async (access) => {
    const user =
      o.user === undefined
        ? (await access.listUsers()).filter((u) => u.role === 'admin').sort((a, b) => a.id - b.id)[0]
        : await access.userByName(o.user);
    if (!user)
      throw new CyrangeError(
        'CYR_NOT_FOUND',
        o.user === undefined ? 'no admin user yet: run `cyrange admin create`' : `no user "${o.user}"`,
      );
    const made = await issueToken(access, user.id, { label: o.label, scope: o.scope as TokenScope, expiresInS: seconds });
    process.stdout.write(`${made.token}\n`);
  });
}

/** `token ls`: never the secrets. */
export async function tokenLs(o: { user?: string; json?: boolean }): Promise<void> {
  await withAccess(async (access) => {
    const user = o.user === undefined ? undefined : await access.userByName(o.user);
    if (user === null) throw new CyrangeError('CYR_NOT_FOUND', `no user "${o.user}"`);
    const now = new Date().toISOString();
    const rows = (await access.listTokens(user?.id)).map((t) => ({
      id: t.id,
      user: t.user,
      scope: t.scope,
      label: t.label,
      created_at: t.createdAt,
      expires_at: t.expiresAt,
      expired: t.expiresAt !== null && t.expiresAt <= now,
    }));
    if (o.json) return printJson(rows);
    process.stdout.write(
      `${table(
        ['ID', 'USER', 'SCOPE', 'CREATED', 'EXPIRES', 'LABEL'],
        rows.map((r) => [String(r.id), r.user, r.scope, r.created_at, r.expired ? 'expired' : (r.expires_at ?? 'never'), r.label]),
      )}\n`,
    );
  });
}

/** `token revoke ID`. */
export async function tokenRevoke(id: string): Promise<void> {
  const n = Number(id);
  if (!Number.isInteger(n) || n <= 0)
    throw new ValidationError([{ path: 'id', message: `"${id}" is not a token id (see cyrange token ls)` }]);
  await withAccess(async (access) => {
    if (!(await access.revokeToken(n))) throw new CyrangeError('CYR_NOT_FOUND', `no token ${n}`);
    process.stdout.write(`revoked token ${n}\n`);
  });
}
