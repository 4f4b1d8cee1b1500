import type { Command } from 'commander';
import { configFromEnv } from '../../engine/index.js';
import { CyrangeError, type Problem, ValidationError } from '../../model/index.js';
import { type Store, TOKEN_SCOPES, type TokenScope, issueToken, openStore } from '../../store/index.js';
import { printJson, table } from '../output.js';

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ stateDir: configFromEnv().stateDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `token create|ls|revoke`: API tokens in the store, so a leaked one can be killed at once. */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens (stored hashed; shown once when made)');

  token
    .command('create')
    .description('make a token and print it (shown only this once)')
    .option('--user <name>', 'whose token (default: the first admin)')
    .option('--scope <scope>', `${TOKEN_SCOPES.join(' or ')}: a metrics token only reads /metrics`, 'api')
    .option('--expires-in <seconds>', 'lifetime in seconds (default: no expiry)')
    .option('--label <text>', 'what it is for', 'cli')
    .action(async (o: { user?: string; scope: string; expiresIn?: string; label: string }) => {
      const problems: Problem[] = [];
      if (!TOKEN_SCOPES.includes(o.scope as TokenScope))
        problems.push({ path: '--scope', message: `unknown value "${o.scope}" (valid: ${TOKEN_SCOPES.join(', ')})` });
      const seconds = o.expiresIn === undefined ? null : Number(o.expiresIn);
      if (seconds !== null && !(Number.isInteger(seconds) && seconds > 0))
        problems.push({ path: '--expires-in', message: `"${o.expiresIn}" must be a whole number of seconds above 0` });
      if (problems.length) throw new ValidationError(problems);
      await withStore(async (store) => {
        const user =
          o.user === undefined
            ? (await store.access.listUsers()).filter((u) => u.role === 'admin').sort((a, b) => a.id - b.id)[0]
            : await store.access.userByName(o.user);
        if (!user)
          throw new CyrangeError(
            'CYR_NOT_FOUND',
            o.user === undefined ? 'no admin user yet: run `cyrange admin create`' : `no user "${o.user}"`,
          );
        const made = await issueToken(store.access, user.id, { label: o.label, scope: o.scope as TokenScope, expiresInS: seconds });
        process.stdout.write(`${made.token}\n`);
      });
    });

  token
    .command('ls')
    .description('list tokens (never their secrets)')
    .option('--user <name>', "only this user's")
    .option('--json', 'print JSON')
    .action(async (o: { user?: string; json?: boolean }) => {
      await withStore(async (store) => {
        const user = o.user === undefined ? undefined : await store.access.userByName(o.user);
        if (user === null) throw new CyrangeError('CYR_NOT_FOUND', `no user "${o.user}"`);
        const now = new Date().toISOString();
        const rows = (await store.access.listTokens(user?.id)).map((t) => ({
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
    });

  token
    .command('revoke')
    .description('revoke a token: it stops working at once, in the server too')
    .argument('<id>')
    .action(async (id: string) => {
      const n = Number(id);
      if (!Number.isInteger(n) || n <= 0)
        throw new ValidationError([{ path: 'id', message: `"${id}" is not a token id (see cyrange token ls)` }]);
      await withStore(async (store) => {
        if (!(await store.access.revokeToken(n))) throw new CyrangeError('CYR_NOT_FOUND', `no token ${n}`);
        process.stdout.write(`revoked token ${n}\n`);
      });
    });
}
