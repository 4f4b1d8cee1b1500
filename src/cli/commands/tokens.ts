import type { Command } from 'commander';
import type { TokenScope } from '../../engine/index.js';
import type { TokenCreateOptions } from '../actions/tokens.js';
import { allOf } from '../choices.js';

/** The store's token scopes, in its order. */
const TOKEN_SCOPES = allOf<TokenScope>()(['api', 'metrics']);

const actions = () => import('../actions/tokens.js');

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
    .action(async (o: TokenCreateOptions) => (await actions()).tokenCreate(o));

  token
    .command('ls')
    .description('list tokens (never their secrets)')
    .option('--user <name>', "only this user's")
    .option('--json', 'print JSON')
    .action(async (o: { user?: string; json?: boolean }) => (await actions()).tokenLs(o));

  token
    .command('revoke')
    .description('revoke a token: it stops working at once, in the server too')
    .argument('<id>')
    .action(async (id: string) => (await actions()).tokenRevoke(id));
}
