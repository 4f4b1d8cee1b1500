import {
  type EngineEvent,
  type InspectedHost,
  type NicStatsRow,
  type RangeRecord,
  type StepResult,
  liveStatusOf,
} from '../engine/index.js';
import type { ResolvedHost, ResolvedRange } from '../model/index.js';
import type { Job } from './jobs.js';

/** What one user may do with one range. */
export interface RangeRights {
  readonly see: boolean;
  readonly manage: boolean;
}

/**
 * A range as someone with `rights` may see it: those who do not manage it (students) get it
 * without its hidden hosts and the policies aimed at them, as if those did not exist.
 */
export function visibleRange(rec: RangeRecord, rights: RangeRights): RangeRecord {
  if (rights.manage || !rec.resolved.hosts.some((h) => h.hidden)) return rec;
  const r = rec.resolved;
  const hidden = new Set(r.hosts.filter((h) => h.hidden).map((h) => h.name));
  const resolved: ResolvedRange = {
    ...r,
    hosts: r.hosts.filter((h) => !hidden.has(h.name)),
    policies: r.policies.filter((p) => !(p.target.kind === 'host' && hidden.has(p.target.name))),
  };
  return { ...rec, resolved };
}

/**
 * What of a job's events a caller may see, given the full range and the caller's view of it:
 * steps about hosts missing from the view (`host:NAME`) are left out.
 */
export function jobFilter(full: RangeRecord | null, seen: RangeRecord | null): (e: EngineEvent | StepResult) => boolean {
  const all = new Set(full?.resolved.hosts.map((h) => h.name) ?? []);
  const visible = new Set(seen?.resolved.hosts.map((h) => h.name) ?? all);
  if ([...all].every((h) => visible.has(h))) return () => true;
  return (e) =>
    !e.step
      .split(':')
      .slice(1)
      .some((part) => all.has(part) && !visible.has(part));
}

/**
 * A job as a caller sees it (see `jobFilter`); an error that names a host they may not see is
 * replaced by a generic one. With no range left (destroyed), only those who may see the job at
 * all (an admin, its owner) get here, and they get all of it.
 */
export function jobView(j: Job, full: RangeRecord | null, seen: RangeRecord | null) {
  const keep = jobFilter(full, seen);
  const hiddenNamed = (text: string) =>
    (full?.resolved.hosts ?? []).some((h) => !seen?.resolved.hosts.some((x) => x.name === h.name) && text.includes(`"${h.name}"`));
  const result = j.result as { steps?: readonly StepResult[] } | null;
  return {
    id: j.id,
    op: j.op,
    instance: j.instance,
    status: j.status,
    error: j.error && seen && hiddenNamed(j.error.message) ? { code: j.error.code, message: `${j.op} failed` } : j.error,
    result: result && Array.isArray(result.steps) ? { ...result, steps: result.steps.filter(keep) } : result,
    started_at: j.startedAt,
    finished_at: j.finishedAt,
    duration_ms: j.durationMs,
    events: j.events.filter(keep),
  };
}

/** Per-NIC counters of the hosts in a caller's view of a range. */
export function statsView(seen: RangeRecord, rows: readonly NicStatsRow[]) {
  const visible = new Set(seen.resolved.hosts.map((h) => h.name));
  return rows.filter((r) => visible.has(r.host));
}

/** One NIC in API form: network ids are network names, unique within a range. */
export interface NicView {
  network_id: string;
  network_name: string;
  ip_address: string | null;
  subnet: string;
  is_primary: boolean;
  mac: string;
  ifname: string;
  addressing: string;
}

/** A host in API form: `networks` is the truth; top-level `network_id`/`ip_address` are the deprecated primary. */
export function hostView(range: ResolvedRange, h: ResolvedHost, live?: InspectedHost) {
  const subnetOf = new Map(range.networks.map((n) => [n.name, n.subnet]));
  const networks: NicView[] = h.interfaces.map((n) => ({
    network_id: n.network,
    network_name: n.network,
    ip_address: n.ip ?? live?.interfaces.find((x) => x.ifname === n.ifname)?.observed?.ipv4[0]?.split('/')[0] ?? null,
    subnet: subnetOf.get(n.network) ?? '',
    is_primary: n.primary,
    mac: n.mac,
    ifname: n.ifname,
    addressing: n.addressing,
  }));
  const primary = networks.find((n) => n.is_primary);
  return {
    name: h.name,
    runtime: h.runtime,
    image: h.image,
    mode: h.network.mode,
    hidden: h.hidden,
    vnc_port: h.vncPort,
    state: live?.state ?? null,
    networks,
    network_id: primary?.network_id ?? null,
    ip_address: primary?.ip_address ?? null,
  };
}

/** A range instance in API form. */
export function rangeView(rec: RangeRecord) {
  const r = rec.resolved;
  return {
    name: rec.instance,
    blueprint: r.name,
    status: liveStatusOf(rec),
    kind: rec.kind,
    owner: rec.owner ?? null,
    host_count: r.hosts.length,
    networks: r.networks.map((n) => ({
      id: n.name,
      name: n.name,
      subnet: n.subnet,
      gateway: n.gateway,
      egress: n.egress,
      dhcp: n.dhcp !== null,
    })),
    routes: r.routes,
  };
}
