import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Engine,
  ROLES,
  type Role,
  bootstrapAdmin,
  configFromEnv,
  createUserWithToken,
  loggingEnabled,
  projectRoot,
} from '../../engine/index.js';
import { CyrangeError, ValidationError } from '../../model/index.js';
import { accessOf, withAccess } from '../context.js';
import { startWatcherIfNeeded } from '../watcher.js';

type JobRunner = import('../../api/index.js').JobRunner;

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

/** `serve`: the API and web UI until signalled, with the start-up reconcile as jobs. */
export async function serve(o: { host: string; port: string; reconcile: boolean }): Promise<void> {
  // Fastify and the API load only here: no other command needs them.
  const { JobRunner, buildServer, reconcileOnStart } = await import('../../api/index.js');
  const cfg = configFromEnv();
  const engine = await Engine.open(cfg, { onEvent: (e) => jobs.dispatch(e) });
  // Jobs and their events are stored: they outlive this server.
  const jobs = new JobRunner(engine.jobs);
  const access = accessOf(engine);
  if (await bootstrapAdmin(access, process.env.CYRANGE_ADMIN_TOKEN))
    process.stderr.write('created user "admin" with the token in CYRANGE_ADMIN_TOKEN\n');
  if ((await access.countUsers()) === 0)
    process.stderr.write('no users yet: run `cyrange admin create` (or set CYRANGE_ADMIN_TOKEN) to get a token\n');
  const stopTracking = engine.trackLiveStatus();
  // The API's first views already show live statuses.
  await engine.liveStatus().catch(() => []);
  const webRoot = join(projectRoot(), 'dist', 'web');
  const app = await buildServer({ engine, jobs, webRoot, logger: loggingEnabled() });
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
  await engine.close();
}

/** `admin create`: prints the new admin's token once. */
export async function adminCreate(o: { name: string; passwordStdin?: boolean; ifNone?: boolean }): Promise<void> {
  await withAccess(async (access) => {
    if (o.ifNone && (await access.countUsers()) > 0) return;
    const { token } = await createUserWithToken(access, o.name, 'admin', readPassword(o.passwordStdin));
    process.stdout.write(`${token}\n`);
  });
}

/** `user add NAME --role R`: prints the new user's token once. */
export async function userAdd(name: string, o: { role: string; passwordStdin?: boolean }): Promise<void> {
  if (!ROLES.includes(o.role as Role))
    throw new ValidationError([{ path: '--role', message: `unknown value "${o.role}" (valid: ${ROLES.join(', ')})` }]);
  await withAccess(async (access) => {
    const { token } = await createUserWithToken(access, name, o.role as Role, readPassword(o.passwordStdin));
    process.stdout.write(`${token}\n`);
  });
}

/** `assign INSTANCE USER`. */
export async function assign(instance: string, user: string): Promise<void> {
  await withAccess(async (access) => {
    const u = await access.userByName(user);
    if (!u) throw new CyrangeError('CYR_NOT_FOUND', `no user "${user}"`);
    await access.assign(instance, u.id);
    process.stdout.write(`assigned ${instance} to ${user}\n`);
  });
}
