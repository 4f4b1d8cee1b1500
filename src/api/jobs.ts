import { randomUUID } from 'node:crypto';
import {
  type Engine,
  type EngineEvent,
  type JobRecord,
  type JobsRepo,
  currentProcess,
  forgetLiveStatus,
  log,
  processAlive,
  withLogContext,
} from '../engine/index.js';
import { CyrangeError } from '../model/index.js';

/** A long operation (deploy, destroy, reconcile) run in the background, with its progress events. */
export interface Job {
  readonly id: string;
  readonly op: 'deploy' | 'destroy' | 'reconcile';
  readonly instance: string;
  readonly owner: string;
  /** `interrupted`: the server running it stopped first (a crash, a kill, a reboot). */
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  readonly events: EngineEvent[];
  result: unknown;
  error: { code: string; message: string } | null;
  readonly startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** For an interrupted job: the reconcile job that repairs its range. */
  reconcileJob?: string | null;
  /** For a reconcile job: the interrupted jobs whose range it repairs. */
  repairs?: string[];
}

/** Durations kept for /metrics: far more jobs than one server runs between restarts. */
const MAX_DURATIONS = 100_000;
/** How often a follower of a job another process runs reads its new events. */
const POLL_MS = 250;

type Logger = ReturnType<typeof log>;

/** Steps named `KIND:HOST…` (`host:web`, `nic-add:web:lan`, `start:web`) work on that host. */
const HOST_STEPS = new Set([
  'host',
  'host-add',
  'host-rm',
  'host-mode',
  'nic-add',
  'nic-rm',
  'nic-readdress',
  'limit',
  'stop',
  'start',
  'discard',
  'restore',
]);

/** The host a step works on, when its name says. */
export function hostOfStep(step: string): string | undefined {
  const [kind, host] = step.split(':');
  return kind && host && HOST_STEPS.has(kind) ? host : undefined;
}

type Listener = (e: { kind: 'event'; event: EngineEvent } | { kind: 'end'; job: Job }) => void;

function fromRecord(r: JobRecord, events: unknown[], repairs: string[]): Job {
  return {
    id: r.id,
    op: r.op as Job['op'],
    instance: r.instance,
    owner: r.owner,
    status: r.status,
    events: events as EngineEvent[],
    result: r.result,
    error: r.error,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
    reconcileJob: r.reconcileJob,
    repairs,
  };
}

/**
 * Runs jobs and fans their engine events out to Server-Sent Event listeners. With a `JobsRepo`
 * every job and event is also stored, so a job can be read and followed after the server that ran
 * it is gone, and a job a dead server left running is marked `interrupted` (`interruptOrphans`).
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly byInstance = new Map<string, Job>();
  /** Each running job's logger: its lines carry `{ job, range }`, a step's also `{ step, host }`. */
  private readonly loggers = new Map<string, Logger>();
  /** What stops each running job: aborted by `cancel`, the job's engine work undoes itself. */
  private readonly stops = new Map<string, AbortController>();
  /** Finished jobs' durations, for /metrics (the most recent `MAX_DURATIONS`). */
  readonly durations: Array<{ op: string; owner: string; seconds: number; ok: boolean }> = [];

  constructor(private readonly repo: JobsRepo | null = null) {}

  /** Writes in order (an event never before its job), one after another. */
  private saving: Promise<void> = Promise.resolve();

  /** Stores without failing the operation: a job's record is a report, not part of the work. */
  private save(fn: (repo: JobsRepo) => Promise<void>): void {
    const repo = this.repo;
    if (!repo) return;
    // The store being busy or gone is swallowed; the job itself carries on.
    this.saving = this.saving.then(() => fn(repo)).catch(() => {});
  }

  /** Resolves once every write queued so far is done. */
  flush(): Promise<void> {
    return this.saving;
  }

  /** Routes an engine event to the running job of its instance. */
  dispatch(e: EngineEvent): void {
    const job = this.byInstance.get(e.instance);
    if (job?.status !== 'running') return;
    job.events.push(e);
    if (e.kind === 'step') {
      const host = hostOfStep(e.step);
      const line = { step: e.step, ...(host ? { host } : {}), ...(e.ms === undefined ? {} : { ms: e.ms }) };
      const l = this.loggers.get(job.id);
      if (e.status === 'failed') l?.warn({ ...line, error: e.error }, 'step failed');
      else if (e.status === 'started') l?.debug(line, 'step started');
      else l?.info(line, `step ${e.status}`);
    }
    const seq = job.events.length - 1;
    this.save((r) => r.addEvent(job.id, seq, e));
    for (const l of this.listeners.get(job.id) ?? []) l({ kind: 'event', event: e });
  }

  /**
   * Starts `fn` as a job; the job's events are the engine events of its instance meanwhile. `fn`
   * gets the job's signal, which `cancel` aborts: run its engine work under it (`engine.withSignal`).
   */
  start(op: Job['op'], instance: string, owner: string, fn: (signal: AbortSignal) => Promise<unknown>): Job {
    const job: Job = {
      id: randomUUID(),
      op,
      instance,
      owner,
      status: 'running',
      events: [],
      result: null,
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      durationMs: null,
      reconcileJob: null,
      repairs: [],
    };
    this.jobs.set(job.id, job);
    this.byInstance.set(instance, job);
    const stop = new AbortController();
    this.stops.set(job.id, stop);
    this.save((r) => r.create({ id: job.id, op, instance, owner, startedAt: job.startedAt, server: currentProcess() }));
    const t0 = performance.now();
    const bindings = { job: job.id, range: instance, op };
    this.loggers.set(job.id, log().child(bindings));
    this.loggers.get(job.id)?.info({ owner }, 'job started');
    // Everything logged while the job runs (each command at debug level) carries the job and range.
    void withLogContext(bindings, () => fn(stop.signal)).then(
      (result) => this.finish(job, t0, 'succeeded', result, null),
      (e: { code?: string; message?: string }) =>
        this.finish(job, t0, 'failed', null, { code: e.code ?? 'CYR_INTERNAL', message: e.message ?? String(e) }),
    );
    return job;
  }

  /**
   * Cancels a running job of this server: its engine work stops and undoes what it did (a deploy
   * rolls back), and the job ends `failed` saying who cancelled it. A job that has ended, or that
   * another server process runs, is a conflict.
   */
  cancel(job: Job, by: string): void {
    const stop = this.stops.get(job.id);
    if (job.status !== 'running') throw new CyrangeError('CYR_CONFLICT', `job ${job.id} has already ended (${job.status})`);
    if (!stop) throw new CyrangeError('CYR_CONFLICT', `job ${job.id} runs in another server process; cancel it there`);
    if (stop.signal.aborted) return;
    this.loggers.get(job.id)?.warn({ by }, 'job cancelled');
    stop.abort(new Error(`cancelled by ${by}`));
  }

  private finish(job: Job, t0: number, status: Job['status'], result: unknown, error: Job['error']): void {
    this.stops.delete(job.id);
    job.status = status;
    job.result = result;
    job.error = error;
    job.durationMs = Math.round(performance.now() - t0);
    job.finishedAt = new Date().toISOString();
    const end = { status: status as 'succeeded' | 'failed', result, error, finishedAt: job.finishedAt, durationMs: job.durationMs };
    this.save((r) => r.finish(job.id, end));
    this.durations.push({ op: job.op, owner: job.owner, seconds: job.durationMs / 1000, ok: status === 'succeeded' });
    if (this.durations.length > MAX_DURATIONS) this.durations.splice(0, this.durations.length - MAX_DURATIONS);
    if (this.byInstance.get(job.instance) === job) this.byInstance.delete(job.instance);
    const l = this.loggers.get(job.id);
    if (error) l?.error({ ms: job.durationMs, code: error.code, error: error.message }, `job ${status}`);
    else l?.info({ ms: job.durationMs }, `job ${status}`);
    this.loggers.delete(job.id);
    // The range's status changed with the job: the next view probes it again.
    forgetLiveStatus(job.instance);
    for (const l of this.listeners.get(job.id) ?? []) l({ kind: 'end', job });
    this.listeners.delete(job.id);
  }

  /** A job by id: one this server runs or ran, or one stored by an earlier server. */
  async get(id: string): Promise<Job | undefined> {
    const mine = this.jobs.get(id);
    if (mine) return mine;
    if (!this.repo) return undefined;
    try {
      const r = await this.repo.get(id);
      return r ? fromRecord(r, await this.repo.events(id), await this.repo.repairedBy(id)) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every job this server ran, then the most recent stored ones. */
  async list(): Promise<Job[]> {
    const mine = [...this.jobs.values()];
    if (!this.repo) return mine;
    const seen = new Set(mine.map((j) => j.id));
    const stored = (await this.repo.recent()).filter((r) => !seen.has(r.id));
    return [...mine, ...stored.map((r) => fromRecord(r, [], []))];
  }

  /**
   * Marks every stored job whose server is gone as `interrupted`, and returns them. Call once at
   * start, before any job of this server runs.
   */
  async interruptOrphans(): Promise<JobRecord[]> {
    if (!this.repo) return [];
    const out: JobRecord[] = [];
    for (const r of await this.repo.running()) {
      if (this.jobs.has(r.id) || (r.server && processAlive(r.server))) continue;
      const error = { code: 'CYR_INTERRUPTED', message: `the server running this ${r.op} stopped before it finished` };
      await this.repo.finish(r.id, { status: 'interrupted', result: null, error, finishedAt: new Date().toISOString(), durationMs: null });
      out.push({ ...r, status: 'interrupted', error });
    }
    await this.repo.prune();
    return out;
  }

  /** Links an interrupted job to the reconcile job that repairs its range. */
  link(interrupted: string, reconcileJob: string): void {
    this.save((r) => r.link(interrupted, reconcileJob));
    const rec = this.jobs.get(reconcileJob);
    if (rec) rec.repairs = [...(rec.repairs ?? []), interrupted];
  }

  /** Follows a job: past events first, then live ones, then the end. Returns an unsubscribe function. */
  follow(job: Job, l: Listener): () => void {
    for (const event of job.events) l({ kind: 'event', event });
    if (job.status !== 'running') {
      l({ kind: 'end', job });
      return () => {};
    }
    if (!this.jobs.has(job.id)) return this.followStored(job, l);
    const set = this.listeners.get(job.id) ?? new Set();
    set.add(l);
    this.listeners.set(job.id, set);
    return () => set.delete(l);
  }

  /** Follows a stored job another live server runs, by reading the store. */
  private followStored(job: Job, l: Listener): () => void {
    let seq = job.events.length;
    const timer = setInterval(async () => {
      const now = await this.get(job.id);
      if (!now) return;
      for (const event of now.events.slice(seq)) l({ kind: 'event', event });
      seq = now.events.length;
      if (now.status !== 'running') {
        clearInterval(timer);
        l({ kind: 'end', job: now });
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }
}

/** What `reconcileOnStart` found and started. */
export interface StartupReconcile {
  /** Jobs a dead server left running, now `interrupted`. */
  readonly interrupted: readonly JobRecord[];
  /** The reconcile jobs started, one per instance. */
  readonly started: readonly Job[];
}

/**
 * What `serve` does at start: marks jobs a dead server left as interrupted and, unless `enabled`
 * is false, starts one background reconcile job (owner `system`) per instance that needs it —
 * recorded running but not live, left mid-operation by a dead process, or named by an
 * interrupted job — at most `limit` at once. Each interrupted job is linked to its instance's
 * reconcile job.
 */
export async function reconcileOnStart(
  engine: Engine,
  jobs: JobRunner,
  opts: { enabled: boolean; limit?: number },
): Promise<StartupReconcile> {
  const interrupted = await jobs.interruptOrphans();
  if (!opts.enabled) return { interrupted, started: [] };
  const need = (await engine.reconcileCandidates()).map((h) => h.instance);
  const instances = [...new Set([...need, ...interrupted.map((j) => j.instance)])].sort();
  let free = Math.max(1, opts.limit ?? 4);
  const waiting: Array<() => void> = [];
  const bounded = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
  const started = instances.map((instance) => {
    const job = jobs.start('reconcile', instance, 'system', (signal) => bounded(() => engine.withSignal(signal).reconcile(instance)));
    for (const j of interrupted) if (j.instance === instance) jobs.link(j.id, job.id);
    return job;
  });
  return { interrupted, started };
}
