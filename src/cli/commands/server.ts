import type { Command } from 'commander';
import type { Role } from '../../engine/index.js';
import { allOf } from '../choices.js';
import { registerServiceCommands } from './service.js';

/** The store's roles, in its order. */
const ROLES = allOf<Role>()(['admin', 'instructor', 'student']);

const actions = () => import('../actions/server.js');

/** `serve` and its `service install`, and the user commands that work on the same store: `admin create`, `user add`, `assign`. */
export function registerServerCommands(program: Command): void {
  registerServiceCommands(program);
  program
    .command('serve')
    .description('serve the REST API under /api, the web UI at /, /healthz and /metrics')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port', '8080')
    .option('--no-reconcile', 'do not reconcile ranges at start (also CYRANGE_RECONCILE=off)')
    .action(async (o: { host: string; port: string; reconcile: boolean }) => (await actions()).serve(o));

  program
    .command('admin')
    .description('administrators')
    .command('create')
    .description('create an admin user and print their API token (shown only this once)')
    .option('--name <name>', 'user name', 'admin')
    .option('--password-stdin', 'also set a password for web login, read from stdin')
    .option('--if-none', 'only when the store has no user yet; print nothing otherwise')
    .action(async (o: { name: string; passwordStdin?: boolean; ifNone?: boolean }) => (await actions()).adminCreate(o));

  program
    .command('user')
    .description('users')
    .command('add')
    .description('create a user and print their API token (shown only this once)')
    .argument('<name>')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--password-stdin', 'also set a password for web login, read from stdin')
    .action(async (name: string, o: { role: string; passwordStdin?: boolean }) => (await actions()).userAdd(name, o));

  program
    .command('assign')
    .description('let a student see and reach a range instance')
    .argument('<instance>')
    .argument('<user>')
    .action(async (instance: string, user: string) => (await actions()).assign(instance, user));
}
