import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { listLinks } from '../dataplane/index.js';
import { listOwnedNetns, netnsExists } from '../sys/index.js';
import { parseLinkAlias, parseNetnsName } from '../model/index.js';
import { allRuntimes, cgroupOwners } from '../runtimes/index.js';
import { runDirOf } from './config.js';
import type { EngineContext } from './context.js';
import { teardown } from './teardown.js';
import { liveLock } from './lock.js';
import { ownedElsewhere } from './owner.js';

/** What gc found and did. */
export interface GcResult {
  /** Instances whose leftovers were removed. */
  readonly removed: readonly string[];
  /** Instances left alone: stored and healthy, worked on by a live process, or owned by another store. */
  readonly kept: readonly string[];
  readonly errors: readonly string[];
}

/** Every instance that owns something on this machine, found by ownership tags alone. */
async function taggedInstances(ctx: EngineContext): Promise<Set<string>> {
  const found = new Set<string>();
  for (const n of listOwnedNetns()) {
    const p = parseNetnsName(n);
    if (p) found.add(p.instance);
  }
  for (const rt of allRuntimes()) for (const i of await rt.owners()) found.add(i);
  for (const i of cgroupOwners()) found.add(i);
  try {
    for (const d of readdirSync(join(ctx.cfg.stateDir, 'run'))) found.add(d);
  } catch {
    // no run directory yet
  }
  const up = ctx.cfg.uplinkNetns;
  if (up && netnsExists(up)) {
    for (const l of await listLinks(up)) {
      const a = parseLinkAlias(l.ifalias);
      if (a) found.add(a.instance);
    }
  }
  return found;
}

/**
 * Removes objects whose instance is gone from the store, and instances whose deploy crashed
 * (recorded as deploying or destroying with no live process holding their lock).
 */
export async function gc(ctx: EngineContext): Promise<GcResult> {
  const removed: string[] = [];
  const kept: string[] = [];
  const errors: string[] = [];
  const candidates = await taggedInstances(ctx);
  for (const r of await ctx.store.listRanges()) if (r.status === 'deploying' || r.status === 'destroying') candidates.add(r.instance);
  for (const instance of [...candidates].sort()) {
    const runDir = runDirOf(ctx.cfg, instance);
    if (liveLock(runDir) || ownedElsewhere(instance, ctx.cfg.stateDir)) {
      kept.push(instance);
      continue;
    }
    const rec = await ctx.store.getRange(instance);
    if (rec && (rec.status === 'running' || rec.status === 'failed' || rec.status === 'planned')) {
      kept.push(instance);
      continue;
    }
    const errs = await teardown(ctx, instance);
    if (rec) await ctx.store.deleteRange(instance);
    ctx.emit({ kind: 'step', op: 'gc', instance, step: 'teardown', status: errs.length ? 'failed' : 'done' });
    if (errs.length) errors.push(...errs.map((e) => `${instance}: ${e.message}`));
    removed.push(instance);
  }
  return { removed, kept, errors };
}
