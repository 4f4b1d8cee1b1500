import { randomUUID } from 'node:crypto';
import type { EngineEvent } from '../engine/index.js';

/** A long operation (deploy, destroy) run in the background, with its progress events. */
export interface Job {
  readonly id: string;
  readonly op: 'deploy' | 'destroy';
  readonly instance: string;
  readonly owner: string;
  status: 'running' | 'succeeded' | 'failed';
  readonly events: EngineEvent[];
  result: unknown;
  error: { code: string; message: string } | null;
  readonly startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

/** Durations kept for /metrics: far more jobs than one server runs between restarts. */
const MAX_DURATIONS = 100_000;

type Listener = (e: { kind: 'event'; event: EngineEvent } | { kind: 'end'; job: Job }) => void;

/** Runs jobs and fans their engine events out to Server-Sent Event listeners. Kept in memory. */
export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly byInstance = new Map<string, Job>();
  /** Finished jobs' durations, for /metrics (the most recent `MAX_DURATIONS`). */
  readonly durations: Array<{ op: string; owner: string; seconds: number; ok: boolean }> = [];

  /** Routes an engine event to the running job of its instance. */
  dispatch(e: EngineEvent): void {
    const job = this.byInstance.get(e.instance);
    if (job?.status !== 'running') return;
    job.events.push(e);
    for (const l of this.listeners.get(job.id) ?? []) l({ kind: 'event', event: e });
  }

  /** Starts `fn` as a job; the job's events are the engine events of its instance meanwhile. */
  start(op: Job['op'], instance: string, owner: string, fn: () => Promise<unknown>): Job {
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
    };
    this.jobs.set(job.id, job);
    this.byInstance.set(instance, job);
    const t0 = performance.now();
    void fn().then(
      (result) => this.finish(job, t0, 'succeeded', result, null),
      (e: { code?: string; message?: string }) =>
        this.finish(job, t0, 'failed', null, { code: e.code ?? 'CYR_INTERNAL', message: e.message ?? String(e) }),
    );
    return job;
  }

  private finish(job: Job, t0: number, status: Job['status'], result: unknown, error: Job['error']): void {
    job.status = status;
    job.result = result;
    job.error = error;
    job.durationMs = Math.round(performance.now() - t0);
    job.finishedAt = new Date().toISOString();
    this.durations.push({ op: job.op, owner: job.owner, seconds: job.durationMs / 1000, ok: status === 'succeeded' });
    if (this.durations.length > MAX_DURATIONS) this.durations.splice(0, this.durations.length - MAX_DURATIONS);
    if (this.byInstance.get(job.instance) === job) this.byInstance.delete(job.instance);
    for (const l of this.listeners.get(job.id) ?? []) l({ kind: 'end', job });
    this.listeners.delete(job.id);
  }

  /** A job by id. */
  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Every job. */
  list(): Job[] {
    return [...this.jobs.values()];
  }

  /** Follows a job: past events first, then live ones, then the end. Returns an unsubscribe function. */
  follow(job: Job, l: Listener): () => void {
    for (const event of job.events) l({ kind: 'event', event });
    if (job.status !== 'running') {
      l({ kind: 'end', job });
      return () => {};
    }
    const set = this.listeners.get(job.id) ?? new Set();
    set.add(l);
    this.listeners.set(job.id, set);
    return () => set.delete(l);
  }
}
