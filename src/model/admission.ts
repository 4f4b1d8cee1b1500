import { type Problem, ValidationError } from './errors.js';
import type { ResolvedRange } from './types.js';

/**
 * Who asks for a range: the local CLI run as root, or an API user by role. Root and `admin` may use
 * fields that reach the machine; everyone else gets catalog images and sandboxes only.
 */
export type Actor =
  | { readonly kind: 'local-root' }
  | { readonly kind: 'local-user' }
  | { readonly kind: 'user'; readonly name: string; readonly role: 'admin' | 'instructor' | 'student' };

/** What one instructor may hold at once, over all of their ranges; null fields are unlimited. */
export interface Quota {
  readonly ranges: number | null;
  readonly hosts: number | null;
  readonly memoryBytes: number | null;
  readonly cpus: number | null;
}

/** What an instructor's other ranges already hold, counted the way `rangeUsage` counts. */
export interface Usage {
  readonly ranges: number;
  readonly hosts: number;
  readonly memoryBytes: number;
  readonly cpus: number;
}

/** What the machine's admin allows, from the configuration. */
export interface AdmissionPolicy {
  /** Host bridges non-admins may join (`CYRANGE_HOST_BRIDGES`). */
  readonly hostBridges: readonly string[];
  /** microVM launchers this machine runs. */
  readonly launchers: readonly string[];
  /** Per-instructor quota (`CYRANGE_QUOTA_*`); absent: none. */
  readonly quota?: Quota;
}

/** Memory a microVM gets when its blueprint names none (the runtime's default). */
const MICROVM_DEFAULT_MEMORY = 256 * 2 ** 20;

/**
 * What a range holds against a quota: its hosts, and their declared memory and vCPUs (a microVM
 * counts its default 256 MiB and 1 vCPU; a sandbox without limits counts nothing, its range cap aside).
 */
export function rangeUsage(range: ResolvedRange): Usage {
  let memoryBytes = 0;
  let cpus = 0;
  for (const h of range.hosts) {
    const vm = h.runtime === 'microvm';
    memoryBytes += h.resources.memoryBytes ?? (vm ? MICROVM_DEFAULT_MEMORY : 0);
    cpus += h.resources.cpus ?? (vm ? 1 : 0);
  }
  return { ranges: 1, hosts: range.hosts.length, memoryBytes, cpus };
}

/** Adds up usages. */
export function sumUsage(usages: readonly Usage[]): Usage {
  return usages.reduce(
    (a, u) => ({
      ranges: a.ranges + u.ranges,
      hosts: a.hosts + u.hosts,
      memoryBytes: a.memoryBytes + u.memoryBytes,
      cpus: a.cpus + u.cpus,
    }),
    { ranges: 0, hosts: 0, memoryBytes: 0, cpus: 0 },
  );
}

const MIB = 2 ** 20;

/** Problems of a range that would take an instructor past their quota, given what they hold already. */
function quotaProblems(range: ResolvedRange, quota: Quota, held: Usage): Problem[] {
  const want = rangeUsage(range);
  const out: Problem[] = [];
  const check = (field: keyof Usage, path: string, unit: (n: number) => string) => {
    const limit = quota[field];
    if (limit === null || held[field] + want[field] <= limit) return;
    out.push({
      path,
      message: `quota exceeded: ${unit(held[field] + want[field])} with your other ranges, the limit is ${unit(limit)}`,
    });
  };
  check('ranges', '', (n) => `${n} ranges`);
  check('hosts', 'vms', (n) => `${n} hosts`);
  check('memoryBytes', 'vms', (n) => `${Math.ceil(n / MIB)} MiB of memory`);
  check('cpus', 'vms', (n) => `${n} vCPUs`);
  return out;
}

/** Whether an actor may use fields that touch the machine (host paths, `sandbox: none`, any host bridge). */
export function isPrivileged(actor: Actor): boolean {
  return actor.kind === 'local-root' || (actor.kind === 'user' && actor.role === 'admin');
}

const isPath = (ref: string | null | undefined): ref is string => typeof ref === 'string' && ref.startsWith('/');

/** Where a host's value came from: the host itself, or its plugin. */
function origin(range: ResolvedRange, i: number): string {
  const plugin = range.hosts[i]?.plugin;
  return plugin ? ` (the host or its plugin "${plugin}")` : '';
}

/**
 * The one admission step: what this actor may not put in this range. Pure; runs in validate, plan
 * and before every deploy, from the CLI and the API alike. Returns the problems, each at its field.
 */
export function admissionProblems(range: ResolvedRange, actor: Actor, policy: AdmissionPolicy, held: Usage = sumUsage([])): Problem[] {
  const problems: Problem[] = [];
  const privileged = isPrivileged(actor);
  range.hosts.forEach((h, i) => {
    const at = `vms[${i}]`;
    if (h.microvm && !policy.launchers.includes(h.microvm.launcher))
      problems.push({
        path: `${at}.microvm.launcher`,
        message: `${h.microvm.launcher} is not available on this machine (available: ${policy.launchers.join(', ')})`,
      });
    if (privileged) return;
    if (h.sandbox === 'none')
      problems.push({ path: `${at}.sandbox`, message: `only an admin may run a host unsandboxed${origin(range, i)}` });
    if (isPath(h.rootfs))
      problems.push({
        path: `${at}.rootfs`,
        message: `only an admin may name a host path; use an image from the catalog${origin(range, i)}`,
      });
    for (const f of ['kernel', 'initrd', 'disk'] as const)
      if (isPath(h.microvm?.[f]))
        problems.push({
          path: `${at}.microvm.${f}`,
          message: `only an admin may name a host path; use an image from the catalog${origin(range, i)}`,
        });
  });
  range.networks.forEach((n, i) => {
    if (!privileged && n.hostBridge !== null && !policy.hostBridges.includes(n.hostBridge))
      problems.push({
        path: `networks[${i}].host_bridge`,
        message: `${n.hostBridge} is not a host bridge the admin allows (${policy.hostBridges.length ? policy.hostBridges.join(', ') : 'none are; see CYRANGE_HOST_BRIDGES'})`,
      });
  });
  if (actor.kind === 'user' && actor.role === 'instructor' && policy.quota) problems.push(...quotaProblems(range, policy.quota, held));
  return problems;
}

/** Throws a ValidationError with every admission problem, naming `source` when given. */
export function admit(range: ResolvedRange, actor: Actor, policy: AdmissionPolicy, source?: string, held?: Usage): void {
  const problems = admissionProblems(range, actor, policy, held);
  if (problems.length > 0) throw new ValidationError(problems, source);
}
