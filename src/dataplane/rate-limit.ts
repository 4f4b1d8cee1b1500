import type { RateLimit, ResolvedHost, ResolvedInterface } from '../model/index.js';
import { type Argv, CommandFailedError, run } from '../sys/index.js';
import { type RateLimitPlan, planRateLimit } from './tc-plan.js';

/** Answers of `tc`/`ip` that mean the object to delete is already gone. */
const ABSENT = /No such file|Cannot find device|Cannot find specified qdisc|Invalid handle|handle of zero|not found/i;
const EXISTS = /File exists/;

async function runTolerating(argv: Argv, ok: RegExp): Promise<void> {
  const r = await run(argv, { allowFailure: true });
  if (r.code !== 0 && !ok.test(r.stderr)) throw new CommandFailedError(argv, r.code, r.stderr);
}

/** Creates an ifb link; when the kernel does not know the type yet, loads the module once and retries. */
async function createLink(argv: Argv): Promise<void> {
  const r = await run(argv, { allowFailure: true });
  if (r.code === 0 || EXISTS.test(r.stderr)) return;
  // `ifb` may be a module that is not loaded yet; modprobe may also be missing (built-in ifb).
  await run(['modprobe', 'ifb'], { allowFailure: true }).catch(() => {});
  await runTolerating(argv, EXISTS);
}

async function runPlan(plan: RateLimitPlan): Promise<void> {
  for (const argv of plan.remove) await runTolerating(argv, ABSENT);
  for (const argv of plan.create) await createLink(argv);
  for (const argv of plan.apply) await run(argv);
}

type Nic = Pick<ResolvedInterface, 'network' | 'peer'> & { readonly rateLimit?: RateLimit | null };

/**
 * Gives one NIC of `host` its `rateLimit` (tc on the range-side end `nic.peer`); a NIC without one
 * gets whatever limit it had removed. Idempotent.
 */
export async function applyRateLimit(instance: string, host: string, nic: Nic): Promise<void> {
  await runPlan(planRateLimit(instance, host, nic, nic.rateLimit ?? null));
}

/** Removes a NIC's limits (qdiscs, filter, ifb); what is already gone, namespace included, counts as removed. */
export async function clearRateLimit(instance: string, host: string, nic: Nic): Promise<void> {
  await runPlan(planRateLimit(instance, host, nic, null));
}

/** Applies the limit of every NIC of a host that has one; NICs without one are left alone. */
export async function applyHostRateLimits(instance: string, host: ResolvedHost): Promise<void> {
  for (const nic of host.interfaces) if (nic.rateLimit) await applyRateLimit(instance, host.name, nic);
}
