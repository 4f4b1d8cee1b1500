import { type Actor, type AdmissionPolicy, type ResolvedRange, type Usage, admit, rangeUsage, sumUsage } from '../model/index.js';
import { MICROVM_LAUNCHERS } from '../runtimes/index.js';
import type { EngineConfig } from './config.js';
import type { EngineStore } from './store-port.js';

/** What this machine's configuration allows non-admins, and which launchers it runs. */
export function admissionPolicy(cfg: EngineConfig): AdmissionPolicy {
  return { hostBridges: cfg.hostBridges, launchers: MICROVM_LAUNCHERS, quota: cfg.quota };
}

/** What an instructor's ranges other than `except` hold against their quota. */
async function heldBy(store: EngineStore, actor: Actor, except: string): Promise<Usage> {
  if (actor.kind !== 'user' || actor.role !== 'instructor') return sumUsage([]);
  const mine = (await store.listRanges()).filter((r) => r.owner === actor.name && r.instance !== except);
  return sumUsage(mine.map((r) => rangeUsage(r.resolved)));
}

/**
 * The admission check for one actor and instance, with their quota usage read from the store
 * now: returns a pure function that throws a ValidationError (every problem at its field).
 */
export async function admissionFor(
  cfg: EngineConfig,
  store: EngineStore,
  actor: Actor,
  instance: string,
): Promise<(range: ResolvedRange, source?: string) => void> {
  const held = await heldBy(store, actor, instance);
  return (range, source) => admit(range, actor, admissionPolicy(cfg), source, held);
}

/** Admission of several new ranges at once (a pool): each counts against the quota with the ones before it. */
export async function admitBatch(cfg: EngineConfig, store: EngineStore, actor: Actor, ranges: readonly ResolvedRange[]): Promise<void> {
  let held = await heldBy(store, actor, '');
  for (const r of ranges) {
    admit(r, actor, admissionPolicy(cfg), undefined, held);
    held = sumUsage([held, rangeUsage(r)]);
  }
}
