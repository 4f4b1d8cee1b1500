import { join } from 'node:path';
import { isAlive, netnsExists, readPidfile, spawnDetached, writePidfile } from '../sys/index.js';
import { rangeNetns } from '../model/index.js';
import { watchContainerStarts } from '../runtimes/index.js';
import { type EngineConfig, runDirOf } from './config.js';
import { withLock } from './lock.js';
import type { EngineContext } from './context.js';
import { bringUp } from './bring-up.js';
import { reconcile } from './reconcile.js';

/** Whether any running range has docker hosts, i.e. whether a watcher has work. */
export async function hasDockerHosts(ctx: EngineContext): Promise<boolean> {
  return (await ctx.store.listRanges()).some((r) => r.status === 'running' && r.resolved.hosts.some((h) => h.runtime === 'docker'));
}

async function rewire(ctx: EngineContext, instance: string, hostName: string, started: boolean): Promise<void> {
  const rec = await ctx.store.getRange(instance);
  const host = rec?.resolved.hosts.find((h) => h.name === hostName);
  if (!rec || !host || rec.status !== 'running') return;
  const t0 = performance.now();
  if (!netnsExists(rangeNetns(instance))) {
    // The check at start leaves such a range to reconcile (serve's, or `cyrange reconcile`, which
    // an admin may have turned off).
    if (!started) return;
    // A container started while its range namespace is gone (a reboot, a deleted namespace): wiring
    // it alone would leave it without NICs. Rebuild the range; its other hosts' turns find all up.
    try {
      const r = await reconcile(ctx, instance);
      ctx.emit({ kind: 'step', op: 'host', instance, step: `reconcile:${hostName}`, status: 'done', ms: r.ms });
    } catch (e) {
      ctx.emit({ kind: 'step', op: 'host', instance, step: `reconcile:${hostName}`, status: 'failed', error: (e as Error).message });
    }
    return;
  }
  try {
    await withLock(runDirOf(ctx.cfg, instance), 'rewire', () => bringUp(ctx, rec.resolved, host));
    ctx.emit({ kind: 'step', op: 'host', instance, step: `rewire:${hostName}`, status: 'done', ms: Math.round(performance.now() - t0) });
  } catch (e) {
    ctx.emit({ kind: 'step', op: 'host', instance, step: `rewire:${hostName}`, status: 'failed', error: (e as Error).message });
  }
}

/**
 * Keeps docker hosts wired: a container that Docker or a user restarts comes back in a new network
 * namespace without NICs, and is re-wired with the same IPs and MACs; when the range's namespace is
 * gone too, the whole range is reconciled (at a container start; the check at start leaves it to
 * reconcile). Also checks every docker host once at start (a restart
 * missed while no watcher ran). Returns when `signal` aborts, or when no
 * running range has docker hosts any more.
 */
export async function watchDocker(ctx: EngineContext, signal: AbortSignal): Promise<void> {
  const inner = new AbortController();
  signal.addEventListener('abort', () => inner.abort(), { once: true });
  const queue = new Map<string, Promise<void>>();
  const onStart = (instance: string, host: string, started = true) => {
    const key = `${instance}/${host}`;
    const prev = queue.get(key) ?? Promise.resolve();
    const next = prev.then(() => rewire(ctx, instance, host, started));
    queue.set(key, next);
    void next.finally(() => queue.get(key) === next && queue.delete(key));
  };
  const events = watchContainerStarts((i, h) => onStart(i, h), inner.signal);
  for (const r of await ctx.store.listRanges())
    if (r.status === 'running') for (const h of r.resolved.hosts) if (h.runtime === 'docker') onStart(r.instance, h.name, false);
  const idle = setInterval(() => {
    void hasDockerHosts(ctx).then((any) => !any && queue.size === 0 && inner.abort());
  }, 15_000);
  try {
    await events;
  } finally {
    clearInterval(idle);
    await Promise.all(queue.values());
  }
}

/**
 * Makes sure one background watcher runs for this state directory: `argv` is the command that
 * runs it (the CLI's `watch`). Its pid file and log live in the state directory.
 */
export function ensureWatcher(cfg: EngineConfig, argv: readonly string[]): void {
  const pidFile = join(cfg.stateDir, 'watch.pid');
  const ref = readPidfile(pidFile);
  if (ref && isAlive(ref)) return;
  // The watcher is this program again: it reads the same configuration from the environment.
  writePidfile(pidFile, spawnDetached(argv, { logFile: join(cfg.stateDir, 'watch.log'), env: process.env }));
}
