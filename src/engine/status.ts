import { listLinks } from '../dataplane/index.js';
import { type ProcRef, isAlive, netnsExists, procStartTime } from '../sys/index.js';
import { type ResolvedHost, hostNetns, rangeNetns } from '../model/index.js';
import { type HostState, LABEL_HOST, LABEL_RANGE, dockerClient, getRuntime } from '../runtimes/index.js';
// The one Docker call of a probe: the runtime's own client and ownership labels (no second copy of either).
import { runDirOf } from './config.js';
import { type EngineContext, rangeContext } from './context.js';
import { type OpLock, liveLock } from './lock.js';
import type { RangeRecord, RangeStatus } from './store-port.js';

/**
 * A range's status as users see it: its live state (`running`, `degraded`, `down`), an operation
 * a live process is running on it (`deploying`, `destroying`), or what the store says for ranges
 * that are not deployed (`planned`) or whose last operation failed (`failed`).
 */
export type LiveStatus = 'running' | 'degraded' | 'down' | 'deploying' | 'destroying' | 'failed' | 'planned';

/** One host as the cheap probe sees it. */
export interface HostProbe {
  readonly name: string;
  readonly runtime: string;
  /** Its process (or container, or VM) runs and every NIC is on its bridge. */
  readonly up: boolean;
  /** Why it is not up, when it is not. */
  readonly why?: string;
}

/** What the cheap probe found about one range. */
export interface RangeHealth {
  readonly instance: string;
  readonly status: LiveStatus;
  /** The status the store records (the last operation's word). */
  readonly recorded: RangeStatus;
  readonly hostsUp: number;
  readonly hostsTotal: number;
  /** The range namespace and every bridge exist. */
  readonly network: boolean;
  /** The live process working on the range, if any. */
  readonly lock: Pick<OpLock, 'op' | 'pid'> | null;
  /** Recorded as deploying or destroying, but no live process holds the lock: a crashed operation. */
  readonly crashed: boolean;
  readonly hosts: readonly HostProbe[];
}

/** Docker containers that run now, as `instance/host`; null when no daemon answers. */
type RunningContainers = ReadonlySet<string> | null;

const DOCKER_TIMEOUT_MS = 2000;

/** One `listContainers` call for every range: the Cyrange containers that run. */
async function runningContainers(): Promise<RunningContainers> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const list = await Promise.race([
      dockerClient().listContainers({ filters: { label: [LABEL_RANGE] } }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('docker did not answer')), DOCKER_TIMEOUT_MS);
      }),
    ]);
    return new Set(list.map((c) => `${c.Labels[LABEL_RANGE]}/${c.Labels[LABEL_HOST]}`));
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Which operation a live lock holder is doing, as a status; null for edits that leave the range's state alone. */
function operationStatus(lock: OpLock | null): LiveStatus | null {
  if (!lock) return null;
  if (lock.op === 'deploy' || lock.op === 'reconcile') return 'deploying';
  if (lock.op === 'destroy') return 'destroying';
  return null;
}

/** The status of a range from its record, its lock holder and how many of its hosts are up. */
export function statusFrom(recorded: RangeStatus, lock: OpLock | null, up: number, total: number, network: boolean): LiveStatus {
  const op = operationStatus(lock);
  if (op) return op;
  if (recorded === 'planned' || recorded === 'failed') return recorded;
  if (!network) return up > 0 ? 'degraded' : 'down';
  if (up === total) return 'running';
  return up === 0 ? 'down' : 'degraded';
}

async function probeHost(
  ctx: EngineContext,
  rec: RangeRecord,
  host: ResolvedHost,
  links: ReadonlySet<string> | null,
  docker: RunningContainers,
): Promise<HostProbe> {
  const base = { name: host.name, runtime: host.runtime };
  let state: HostState;
  if (host.runtime === 'docker') {
    // Running per the daemon, and still in the namespace Cyrange wired.
    if (docker === null) return { ...base, up: false, why: 'docker does not answer' };
    state = !docker.has(`${rec.instance}/${host.name}`)
      ? 'stopped'
      : netnsExists(hostNetns(rec.instance, host.name))
        ? 'running'
        : 'missing';
  } else {
    try {
      // netns and microvm: a namespace check and a pid file, no subprocess.
      state = await getRuntime(host.runtime).state(rangeContext(ctx, rec.instance, rec.resolved), host);
    } catch (e) {
      return { ...base, up: false, why: (e as Error).message };
    }
  }
  if (state !== 'running') return { ...base, up: false, why: state };
  if (links === null) return { ...base, up: false, why: 'range network missing' };
  const lost = host.interfaces.filter((n) => !links.has(n.peer)).map((n) => n.ifname);
  if (lost.length > 0) return { ...base, up: false, why: `NIC ${lost.join(', ')} not wired` };
  return { ...base, up: true };
}

async function probeOne(ctx: EngineContext, rec: RangeRecord, docker: RunningContainers): Promise<RangeHealth> {
  const r = rec.resolved;
  const lock = liveLock(runDirOf(ctx.cfg, rec.instance));
  const ns = rangeNetns(rec.instance);
  let links: Set<string> | null = null;
  if (rec.status !== 'planned' && netnsExists(ns)) {
    try {
      links = new Set((await listLinks(ns)).map((l) => l.ifname));
    } catch {
      // the namespace went away while we looked
    }
  }
  const network = links !== null && r.networks.every((n) => links.has(n.bridge));
  const hosts = rec.status === 'planned' ? [] : await Promise.all(r.hosts.map((h) => probeHost(ctx, rec, h, links, docker)));
  const up = hosts.filter((h) => h.up).length;
  return {
    instance: rec.instance,
    status: statusFrom(rec.status, lock, up, r.hosts.length, network),
    recorded: rec.status,
    hostsUp: up,
    hostsTotal: r.hosts.length,
    network,
    lock: lock ? { op: lock.op, pid: lock.pid } : null,
    crashed: !lock && (rec.status === 'deploying' || rec.status === 'destroying'),
    hosts,
  };
}

/**
 * The live state of ranges, cheaply: per range one namespace check and one `ip link` read, per
 * host a pid file or namespace check, and one `listContainers` call for every docker host of
 * every range. No runc, docker exec or guest call. Results are remembered for `liveStatusOf`.
 */
export async function probeRanges(ctx: EngineContext, recs: readonly RangeRecord[]): Promise<RangeHealth[]> {
  const docker = recs.some((r) => r.status !== 'planned' && r.resolved.hosts.some((h) => h.runtime === 'docker'))
    ? await runningContainers()
    : null;
  const out = await Promise.all(recs.map((r) => probeOne(ctx, r, docker)));
  const at = Date.now();
  for (const h of out) remembered.set(h.instance, { at, recorded: h.recorded, status: h.status });
  return out;
}

/** "degraded (2 of 5 hosts up)": the status with its host count where that says more. */
export function describeStatus(h: Pick<RangeHealth, 'status' | 'hostsUp' | 'hostsTotal' | 'crashed'>): string {
  const count = h.status === 'degraded' || h.status === 'failed' ? ` (${h.hostsUp} of ${h.hostsTotal} hosts up)` : '';
  return `${h.status}${count}${h.crashed ? ', interrupted operation' : ''}`;
}

// The API's views are synchronous: they read the last probe of a range, and ask for a new one
// in the background once it is older than STATUS_TTL_MS (stale-while-revalidate).
const STATUS_TTL_MS = 1500;
const remembered = new Map<string, { at: number; recorded: RangeStatus; status: LiveStatus }>();
let refresher: ((instance: string) => void) | null = null;

/**
 * Makes `liveStatusOf` keep its answers fresh by probing through `ctx` in the background (one
 * refresher per process: the server's engine). Returns a function that stops it.
 */
export function trackLiveStatus(ctx: EngineContext): () => void {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const flush = async () => {
    timer = null;
    const names = [...pending];
    pending.clear();
    const recs = (await Promise.all(names.map((n) => ctx.store.getRange(n)))).filter((r): r is RangeRecord => r !== null);
    await probeRanges(ctx, recs).catch(() => {});
  };
  const mine = (instance: string) => {
    pending.add(instance);
    // Requests within a few ms share one probe.
    timer ??= setTimeout(() => void flush(), 5);
  };
  refresher = mine;
  return () => {
    if (refresher === mine) refresher = null;
    if (timer) clearTimeout(timer);
  };
}

/**
 * A range's live status for synchronous views: the last probe's answer while the recorded status
 * is the one it saw, else the recorded status; an answer older than a moment is refreshed in the
 * background when a refresher runs (`trackLiveStatus`).
 */
export function liveStatusOf(rec: Pick<RangeRecord, 'instance' | 'status'>): LiveStatus {
  const hit = remembered.get(rec.instance);
  const fresh = hit !== undefined && hit.recorded === rec.status ? hit : null;
  if (refresher && (!fresh || Date.now() - fresh.at > STATUS_TTL_MS)) refresher(rec.instance);
  return fresh ? fresh.status : rec.status;
}

/** Forgets what the last probe said of a range (an operation on it just ended). */
export function forgetLiveStatus(instance: string): void {
  remembered.delete(instance);
}

/** This process as a pid and kernel start time, so a later reader can tell whether it still runs. */
export function currentProcess(): ProcRef {
  return { pid: process.pid, start: procStartTime(process.pid) ?? '' };
}

/** Whether the process a ref names is still the same live process. */
export function processAlive(ref: ProcRef): boolean {
  return isAlive(ref);
}
