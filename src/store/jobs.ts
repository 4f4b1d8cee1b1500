// Background jobs (deploy, destroy, reconcile) and their progress events, kept so that a job
// outlives the server that ran it.
import type { Db } from './db.js';

/** How a job ended, or `running`; `interrupted`: the server running it died first. */
export type JobStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';

/** A stored job. */
export interface JobRecord {
  readonly id: string;
  readonly op: string;
  readonly instance: string;
  readonly owner: string;
  readonly status: JobStatus;
  readonly result: unknown;
  readonly error: { code: string; message: string } | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  /** The server process that runs it (pid and kernel start time), so a later server can tell it died. */
  readonly server: { pid: number; start: string } | null;
  /** For an interrupted job: the reconcile job that repairs its range. */
  readonly reconcileJob: string | null;
}

/** What `create` records: a job that starts now. */
export type NewJob = Pick<JobRecord, 'id' | 'op' | 'instance' | 'owner' | 'startedAt' | 'server'>;

interface JobRow {
  id: string;
  op: string;
  instance: string;
  owner: string;
  status: string;
  result_json: string | null;
  error_json: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  server_pid: number | null;
  server_start: string | null;
  reconcile_job: string | null;
}

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    op: r.op,
    instance: r.instance,
    owner: r.owner,
    status: r.status as JobStatus,
    result: parse(r.result_json),
    error: parse(r.error_json) as JobRecord['error'],
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    server: r.server_pid !== null && r.server_start !== null ? { pid: r.server_pid, start: r.server_start } : null,
    reconcileJob: r.reconcile_job,
  };
}

/** How many finished jobs `prune` keeps by default. */
export const JOBS_KEPT = 2000;

/** Jobs and their events in the store; each method is one statement or one transaction. */
export class JobsRepo {
  constructor(private readonly db: Db) {}

  /** Records a job that has just started. */
  async create(j: NewJob): Promise<void> {
    await this.db
      .insertInto('jobs')
      .values({
        id: j.id,
        op: j.op,
        instance: j.instance,
        owner: j.owner,
        status: 'running',
        started_at: j.startedAt,
        server_pid: j.server?.pid ?? null,
        server_start: j.server?.start ?? null,
      })
      .execute();
  }

  /** Appends one progress event (`seq` counts from 0 per job). */
  async addEvent(jobId: string, seq: number, event: unknown): Promise<void> {
    await this.db
      .insertInto('job_events')
      .values({ job_id: jobId, seq, event_json: JSON.stringify(event) })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Records how a job ended. */
  async finish(
    id: string,
    end: {
      status: Exclude<JobStatus, 'running'>;
      result: unknown;
      error: JobRecord['error'];
      finishedAt: string;
      durationMs: number | null;
    },
  ): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        status: end.status,
        result_json: end.result === undefined || end.result === null ? null : JSON.stringify(end.result),
        error_json: end.error ? JSON.stringify(end.error) : null,
        finished_at: end.finishedAt,
        duration_ms: end.durationMs,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Links an interrupted job to the reconcile job that repairs its range. */
  async link(id: string, reconcileJob: string): Promise<void> {
    await this.db.updateTable('jobs').set({ reconcile_job: reconcileJob }).where('id', '=', id).execute();
  }

  /** A job by id, or null. */
  async get(id: string): Promise<JobRecord | null> {
    const r = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toRecord(r) : null;
  }

  /** A job's events from `fromSeq` on, in order. */
  async events(jobId: string, fromSeq = 0): Promise<unknown[]> {
    const rows = await this.db
      .selectFrom('job_events')
      .select('event_json')
      .where('job_id', '=', jobId)
      .where('seq', '>=', fromSeq)
      .orderBy('seq')
      .execute();
    return rows.map((r) => parse(r.event_json));
  }

  /** Interrupted jobs that a reconcile job repairs. */
  async repairedBy(reconcileJob: string): Promise<string[]> {
    const rows = await this.db.selectFrom('jobs').select('id').where('reconcile_job', '=', reconcileJob).orderBy('started_at').execute();
    return rows.map((r) => r.id);
  }

  /** Jobs recorded as running, oldest first. */
  async running(): Promise<JobRecord[]> {
    return (await this.db.selectFrom('jobs').selectAll().where('status', '=', 'running').orderBy('started_at').execute()).map(toRecord);
  }

  /** The most recent jobs, newest first. */
  async recent(limit = 100): Promise<JobRecord[]> {
    return (await this.db.selectFrom('jobs').selectAll().orderBy('started_at', 'desc').limit(limit).execute()).map(toRecord);
  }

  /** Forgets finished jobs beyond the newest `keep` (their events go with them); returns how many went. */
  async prune(keep = JOBS_KEPT): Promise<number> {
    const r = await this.db
      .deleteFrom('jobs')
      .where('status', '!=', 'running')
      .where('id', 'not in', (eb) =>
        eb.selectFrom('jobs').select('id').where('status', '!=', 'running').orderBy('started_at', 'desc').limit(keep),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
