import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { JobRunner, buildServer } from '../../api/index.js';
// Not yet exported by the api layer's index (another change owns it): the start-up reconcile of jobs.ts.
import { reconcileOnStart } from '../../api/jobs.js';
import { Engine, configFromEnv } from '../../engine/index.js';
import { CyrangeError, ValidationError } from '../../model/index.js';
import { ROLES, type Role, bootstrapAdmin, createUserWithToken, openStore } from '../../store/index.js';
import { startWatcherIfNeeded } from '../watcher.js';
import { registerServiceCommands } from './service.js';

function readPassword(fromStdin: boolean | undefined): string | undefined {
  if (!fromStdin) return undefined;
  const p = readFileSync(0, 'utf8').split('\n')[0] ?? '';
  if (p.length < 8) throw new ValidationError([{ path: '--password-stdin', message: 'the password must have at least 8 characters' }]);
  return p;
}

/** Resolves when a job of this server has ended. */
async function waitJob(jobs: JobRunner, id: string): Promise<void> {
  const job = await jobs.get(id);
  if (!job) return Promise.resolve();
  return new Promise((resolve) => {
    jobs.follow(job, (m) => m.kind === 'end' && resolve());
  });
}

/** `serve` and its `service install`, and the user commands that work on the same store: `admin create`, `user add`, `assign`. */
export function registerServerCommands(program: Command): void {
  registerServiceCommands(program);
  program
    .command('serve')
    .description('serve the REST API under /api, the web UI at /, /healthz and /metrics')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port', '8080')
    .option('--no-reconcile', 'do not reconcile ranges at start (also CYRANGE_RECONCILE=off)')
    .action(async (o: { host: string; port: string; reconcile: boolean }) => {
      const cfg = configFromEnv();
      const store = await openStore({ stateDir: cfg.stateDir });
      // Jobs and their events are stored: they outlive this server.
      const jobs = new JobRunner(store.jobs);
      const engine = new Engine(store, cfg, { onEvent: (e) => jobs.dispatch(e) });
      if (await bootstrapAdmin(store.access, process.env.CYRANGE_ADMIN_TOKEN))
        process.stderr.write('created user "admin" with the token in CYRANGE_ADMIN_TOKEN\n');
      if ((await store.access.countUsers()) === 0)
        process.stderr.write('no users yet: run `cyrange admin create` (or set CYRANGE_ADMIN_TOKEN) to get a token\n');
      const stopTracking = engine.trackLiveStatus();
      // The API's first views already show live statuses.
      await engine.liveStatus().catch(() => []);
      const webRoot = fileURLToPath(new URL('../../../dist/web', import.meta.url));
      const app = await buildServer({ engine, jobs, webRoot, logger: process.env.CYRANGE_LOG === '1' });
      const address = await app.listen({ host: o.host, port: Number(o.port) });
      process.stderr.write(`cyrange serving on ${address} (API docs: ${address}/api/docs)\n`);
      // After a reboot or a killed server: ranges recorded running that are not, and operations a
      // dead process left, are reconciled in the background, as jobs anyone may follow.
      const enabled = o.reconcile && !/^(0|off|false|no)$/i.test(process.env.CYRANGE_RECONCILE ?? '');
      const startup = await reconcileOnStart(engine, jobs, { enabled });
      for (const j of startup.interrupted) process.stderr.write(`job ${j.id} (${j.op} ${j.instance}) was interrupted by a server stop\n`);
      for (const j of startup.started) process.stderr.write(`reconciling ${j.instance}: job ${j.id}\n`);
      if (!enabled) process.stderr.write('reconcile at start is off (--no-reconcile or CYRANGE_RECONCILE=off)\n');
      void Promise.all(startup.started.map((j) => waitJob(jobs, j.id))).then(async () =>
        startWatcherIfNeeded(cfg, await engine.hasDockerHosts()),
      );
      await new Promise<void>((resolve) => {
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
      });
      stopTracking();
      await app.close();
      await jobs.flush();
      await store.close();
    });

  program
    .command('admin')
    .description('administrators')
    .command('create')
    .description('create an admin user and print their API token (shown only this once)')
    .option('--name <name>', 'user name', 'admin')
    .option('--password-stdin', 'also set a password for web login, read from stdin')
    .option('--if-none', 'only when the store has no user yet; print nothing otherwise')
    .action(async (o: { name: string; passwordStdin?: boolean; ifNone?: boolean }) => {
      const store = await openStore({ stateDir: configFromEnv().stateDir });
      try {
        if (o.ifNone && (await store.access.countUsers()) > 0) return;
        const { token } = await createUserWithToken(store.access, o.name, 'admin', readPassword(o.passwordStdin));
        process.stdout.write(`${token}\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command('user')
    .description('users')
    .command('add')
    .description('create a user and print their API token (shown only this once)')
    .argument('<name>')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--password-stdin', 'also set a password for web login, read from stdin')
    .action(async (name: string, o: { role: string; passwordStdin?: boolean }) => {
      if (!ROLES.includes(o.role as Role))
        throw new ValidationError([{ path: '--role', message: `unknown value "${o.role}" (valid: ${ROLES.join(', ')})` }]);
      const store = await openStore({ stateDir: configFromEnv().stateDir });
      try {
        const { token } = await createUserWithToken(store.access, name, o.role as Role, readPassword(o.passwordStdin));
        process.stdout.write(`${token}\n`);
      } finally {
        await store.close();
      }
    });

  program
    .command('assign')
    .description('let a student see and reach a range instance')
    .argument('<instance>')
    .argument('<user>')
    .action(async (instance: string, user: string) => {
      const store = await openStore({ stateDir: configFromEnv().stateDir });
      try {
        const u = await store.access.userByName(user);
        if (!u) throw new CyrangeError('CYR_NOT_FOUND', `no user "${user}"`);
        await store.access.assign(instance, u.id);
        process.stdout.write(`assigned ${instance} to ${user}\n`);
      } finally {
        await store.close();
      }
    });
}
