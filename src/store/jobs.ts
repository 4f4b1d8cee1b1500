// Background jobs (deploy, destroy, reconcile) and their progress events, kept so that a job
// outlives the server that ran it.
import type { SqliteConnection } from './db.js';

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
  constructor(private readonly conn: SqliteConnection) {}

  /** Records a job that has just started. */
  create(j: NewJob): void {
    this.conn
      .prepare('INSERT INTO jobs (id, op, instance, owner, status, started_at, server_pid, server_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(j.id, j.op, j.instance, j.owner, 'running', j.startedAt, j.server?.pid ?? null, j.server?.start ?? null);
  }

  /** Appends one progress event (`seq` counts from 0 per job). */
  addEvent(jobId: string, seq: number, event: unknown): void {
    this.conn.prepare('INSERT OR IGNORE INTO job_events (job_id, seq, event_json) VALUES (?, ?, ?)').run(jobId, seq, JSON.stringify(event));
  }

  /** Records how a job ended. */
  finish(
    id: string,
    end: {
      status: Exclude<JobStatus, 'running'>;
      result: unknown;
      error: JobRecord['error'];
      finishedAt: string;
      durationMs: number | null;
    },
  ): void {
    this.conn
      .prepare('UPDATE jobs SET status = ?, result_json = ?, error_json = ?, finished_at = ?, duration_ms = ? WHERE id = ?')
      .run(
        end.status,
        end.result === undefined || end.result === null ? null : JSON.stringify(end.result),
        end.error ? JSON.stringify(end.error) : null,
        end.finishedAt,
        end.durationMs,
        id,
      );
  }

  /** Links an interrupted job to the reconcile job that repairs its range. */
  link(id: string, reconcileJob: string): void {
    this.conn.prepare('UPDATE jobs SET reconcile_job = ? WHERE id = ?').run(reconcileJob, id);
  }

  /** A job by id, or null. */
  get(id: string): JobRecord | null {
    const r = this.conn.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return r ? toRecord(r) : null;
  }

  /** A job's events from `fromSeq` on, in order. */
  events(jobId: string, fromSeq = 0): unknown[] {
    const rows = this.conn
      .prepare('SELECT event_json FROM job_events WHERE job_id = ? AND seq >= ? ORDER BY seq')
      .all(jobId, fromSeq) as Array<{
      event_json: string;
    }>;
    return rows.map((r) => parse(r.event_json));
  }

  /** Interrupted jobs that a reconcile job repairs. */
  repairedBy(reconcileJob: string): string[] {
    return (
      this.conn.prepare('SELECT id FROM jobs WHERE reconcile_job = ? ORDER BY started_at').all(reconcileJob) as Array<{ id: string }>
    ).map((r) => r.id);
  }

  /** Jobs recorded as running, oldest first. */
  running(): JobRecord[] {
    return (this.conn.prepare("SELECT * FROM jobs WHERE status = 'running' ORDER BY started_at").all() as JobRow[]).map(toRecord);
  }

  /** The most recent jobs, newest first. */
  recent(limit = 100): JobRecord[] {
    return (this.conn.prepare('SELECT * FROM jobs ORDER BY started_at DESC LIMIT ?').all(limit) as JobRow[]).map(toRecord);
  }

  /** Forgets finished jobs beyond the newest `keep` (their events go with them); returns how many went. */
  prune(keep = JOBS_KEPT): number {
    return this.conn
      .prepare(
        "DELETE FROM jobs WHERE status != 'running' AND id NOT IN (SELECT id FROM jobs WHERE status != 'running' ORDER BY started_at DESC LIMIT ?)",
      )
      .run(keep).changes;
  }
}
