import { type RateLimit, type ResolvedInterface, linkAlias, rangeNetns, stableHash } from '../model/index.js';
import type { Argv } from '../sys/index.js';

/** Queueing delay a tbf qdisc allows before it drops. */
export const TBF_LATENCY = '50ms';

/**
 * Name of the ifb device that shapes what a host sends through the NIC whose range end is `peer`:
 * `ifb` + 11 hex characters (14 ≤ 15), unique wherever `peer` is.
 */
export function ifbIfname(peer: string): string {
  return `ifb${stableHash(['ifb', peer], 11)}`;
}

/** A rate in Mbit/s as tc reads it, in whole kbit/s so fractions such as 0.5 survive. */
export function tcRate(mbps: number): string {
  return `${Math.max(1, Math.round(mbps * 1000))}kbit`;
}

/** What applying (or clearing) one NIC's limit runs, in order: every list is full argv for `run`. */
export interface RateLimitPlan {
  /** Deletions; "not found" answers count as done. */
  readonly remove: readonly Argv[];
  /** Creations of links; "exists" answers count as done. */
  readonly create: readonly Argv[];
  /** Must all succeed. */
  readonly apply: readonly Argv[];
}

function tc(netns: string, ...args: string[]): Argv {
  return ['tc', '-n', netns, ...args];
}

/** A token bucket root qdisc on `dev`, replacing whatever root qdisc it has. */
export function planTbf(netns: string, dev: string, mbps: number, burstKb: number): Argv[] {
  return [tc(netns, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', tcRate(mbps), 'burst', `${burstKb}kb`, 'latency', TBF_LATENCY)];
}

/**
 * Sends everything that enters `peer` (what the host sends) through `ifb` first. The filter is a
 * u32 match-all: the `matchall` classifier is missing from some kernels (this machine's included).
 */
export function planIngressRedirect(netns: string, peer: string, ifb: string): Argv[] {
  return [
    tc(netns, 'qdisc', 'add', 'dev', peer, 'handle', 'ffff:', 'ingress'),
    tc(
      netns,
      'filter',
      'add',
      'dev',
      peer,
      'parent',
      'ffff:',
      'protocol',
      'all',
      'prio',
      '1',
      'u32',
      'match',
      'u32',
      '0',
      '0',
      'action',
      'mirred',
      'egress',
      'redirect',
      'dev',
      ifb,
    ),
  ];
}

/**
 * The tc and ip commands that give the NIC (range end `nic.peer`, in `cyr_<instance>`) exactly
 * `limit`, from the host's point of view: what the host receives leaves the bridge through `peer`
 * and is shaped by a tbf root qdisc there; what it sends enters at `peer` and is redirected to an
 * ifb device shaped the same way. A null limit (or direction) removes what a previous one set.
 * Running the plan twice gives the same kernel state.
 */
export function planRateLimit(
  instance: string,
  host: string,
  nic: Pick<ResolvedInterface, 'network' | 'peer'>,
  limit: RateLimit | null,
): RateLimitPlan {
  const ns = rangeNetns(instance);
  const ifb = ifbIfname(nic.peer);
  const ingress = limit?.ingressMbps ?? null;
  const egress = limit?.egressMbps ?? null;
  const burst = limit?.burstKb ?? 0;
  // The ingress qdisc is deleted then added: its filters go with it, so re-applying never stacks them.
  const remove: Argv[] = [tc(ns, 'qdisc', 'del', 'dev', nic.peer, 'handle', 'ffff:', 'ingress')];
  if (ingress === null) remove.push(tc(ns, 'qdisc', 'del', 'dev', nic.peer, 'root'));
  if (egress === null) remove.push(['ip', '-n', ns, 'link', 'del', ifb]);
  const create: Argv[] = egress === null ? [] : [['ip', '-n', ns, 'link', 'add', ifb, 'type', 'ifb']];
  const apply: Argv[] = [];
  if (egress !== null)
    apply.push(
      ['ip', '-n', ns, 'link', 'set', ifb, 'alias', linkAlias(instance, host, nic.network), 'up'],
      ...planTbf(ns, ifb, egress, burst),
      ...planIngressRedirect(ns, nic.peer, ifb),
    );
  if (ingress !== null) apply.push(...planTbf(ns, nic.peer, ingress, burst));
  return { remove, create, apply };
}
