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

/** What the machine's admin allows, from the configuration. */
export interface AdmissionPolicy {
  /** Host bridges non-admins may join (`CYRANGE_HOST_BRIDGES`). */
  readonly hostBridges: readonly string[];
  /** microVM launchers this machine runs. */
  readonly launchers: readonly string[];
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
export function admissionProblems(range: ResolvedRange, actor: Actor, policy: AdmissionPolicy): Problem[] {
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
  return problems;
}

/** Throws a ValidationError with every admission problem, naming `source` when given. */
export function admit(range: ResolvedRange, actor: Actor, policy: AdmissionPolicy, source?: string): void {
  const problems = admissionProblems(range, actor, policy);
  if (problems.length > 0) throw new ValidationError(problems, source);
}
