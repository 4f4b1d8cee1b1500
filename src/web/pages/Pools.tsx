import { useCallback, useEffect, useState } from 'react';
import { type Schemas, type StepEvent, call, client, followJob } from '../api.js';
import { BlueprintSelect, Grid, JobOutput, usePolling } from '../components/lists.js';
import { errorText } from './RangeDetail.js';

type Pool = Schemas['Pool'];

/** A job's event as one progress line. */
export const eventLine = (e: StepEvent): string =>
  e.kind === 'progress'
    ? `${e.instance} ${e.step}: ${e.message}`
    : `${e.instance} ${e.step} ${e.status}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}${e.error ? `: ${e.error}` : ''}`;

/** Follows a pool job to its end; the error text when it did not succeed. */
export async function runPoolJob(jobId: string, onLine: (l: string) => void): Promise<string | null> {
  const end = await followJob(jobId, (e) => onLine(eventLine(e)));
  return end.status === 'succeeded' ? null : (end.error?.message ?? end.status);
}

/** Login tokens of the students a pool job made, which the job's result holds (shown once). */
async function newStudentTokens(jobId: string): Promise<Array<{ student: string; token: string }>> {
  const job = await call(client.GET('/api/jobs/{id}', { params: { path: { id: jobId } } }));
  const copies = (job.result as { copies?: Array<{ student?: string | null; token?: string }> } | null)?.copies ?? [];
  return copies.flatMap((c) => (c.student && c.token ? [{ student: c.student, token: c.token }] : []));
}

/** The number of copies of a pool, as a pool is made or resized (at most 500). */
export function CopiesField({ min, value, onChange }: { min: number; value: string; onChange: (v: string) => void }) {
  return (
    <label className="inline">
      copies{' '}
      <input
        className="narrow"
        type="number"
        min={min}
        max={500}
        aria-label="pool size"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

/** An instructor's classes: their pools, and a form to start one from a saved blueprint. */
export function Pools() {
  const [pools, setPools] = useState<Pool[]>([]);
  const [blueprints, setBlueprints] = useState<Schemas['Blueprint'][]>([]);
  const [name, setName] = useState('');
  const [bp, setBp] = useState('');
  const [size, setSize] = useState('2');
  const [roster, setRoster] = useState('');
  const [studentReset, setStudentReset] = useState(false);
  const [progress, setProgress] = useState<string[]>([]);
  const [tokens, setTokens] = useState<Array<{ student: string; token: string }>>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const load = useCallback(async () => {
    try {
      setPools(await call(client.GET('/api/pools')));
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  usePolling(load, 3000);
  useEffect(() => {
    void call(client.GET('/api/blueprints')).then(setBlueprints, () => {});
  }, []);

  const students = roster
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const create = async () => {
    setBusy(true);
    setError('');
    setProgress([]);
    setTokens([]);
    try {
      const { job_id } = await call(
        client.POST('/api/pools', {
          body: {
            name,
            blueprint_id: Number(bp),
            size: Math.max(Number(size) || 0, students.length),
            ...(students.length ? { roster: students.map((s) => ({ name: s })) } : {}),
            student_reset: studentReset,
          },
        }),
      );
      const failed = await runPoolJob(job_id, (l) => setProgress((p) => [...p, l]));
      if (failed) setError(failed);
      setTokens(await newStudentTokens(job_id).catch(() => []));
      await load();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h2>Pools</h2>
      <p className="muted">A pool is a class: identical copies of one blueprint, one per student.</p>
      <Grid
        testId="pools"
        columns={['Pool', 'Copies', 'Students', 'Students may reset', 'Owner', 'Created']}
        items={pools}
        empty="No pools yet."
        row={(p) => (
          <tr key={p.name} data-pool={p.name}>
            <td>
              <a href={`#/pools/${p.name}`}>{p.name}</a>
            </td>
            <td>{p.members.length}</td>
            <td>{p.members.filter((m) => m.student).length}</td>
            <td>{p.student_reset ? 'yes' : 'no'}</td>
            <td>{p.owner ?? '—'}</td>
            <td>{new Date(p.created_at).toLocaleString()}</td>
          </tr>
        )}
      />
      <form
        className="card row"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <input aria-label="pool name" placeholder="pool name" value={name} onChange={(e) => setName(e.target.value.trim())} />
        <BlueprintSelect label="pool blueprint" value={bp} onChange={setBp} blueprints={blueprints} />
        <CopiesField min={1} value={size} onChange={setSize} />
        <input
          aria-label="pool roster"
          placeholder="students (names, comma separated)"
          value={roster}
          onChange={(e) => setRoster(e.target.value)}
        />
        <label className="inline">
          <input type="checkbox" checked={studentReset} onChange={(e) => setStudentReset(e.target.checked)} /> students may reset
        </label>
        <button type="submit" disabled={busy || !name || !bp || (!(Number(size) >= 1) && students.length === 0)}>
          {busy ? 'Deploying…' : 'Create pool'}
        </button>
      </form>
      {tokens.length > 0 && (
        <div className="card" data-testid="roster-tokens">
          <b>Login tokens of the new students (shown only this once):</b>
          <pre>{tokens.map((t) => `${t.student},${t.token}`).join('\n')}</pre>
        </div>
      )}
      <JobOutput progress={progress} error={error} />
    </section>
  );
}
