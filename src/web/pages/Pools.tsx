import { useCallback, useEffect, useState } from 'react';
import { type Schemas, type StepEvent, call, client, followJob } from '../api.js';
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
  useEffect(() => {
    void load();
    void call(client.GET('/api/blueprints')).then(setBlueprints, () => {});
    const t = setInterval(() => void load(), 3000);
    return () => clearInterval(t);
  }, [load]);

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
      <table className="grid" data-testid="pools">
        <thead>
          <tr>
            <th>Pool</th>
            <th>Copies</th>
            <th>Students</th>
            <th>Students may reset</th>
            <th>Owner</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {pools.map((p) => (
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
          ))}
          {pools.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No pools yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form
        className="card row"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <input aria-label="pool name" placeholder="pool name" value={name} onChange={(e) => setName(e.target.value.trim())} />
        <select aria-label="pool blueprint" value={bp} onChange={(e) => setBp(e.target.value)}>
          <option value="">— blueprint —</option>
          {blueprints.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name} (#{b.id})
            </option>
          ))}
        </select>
        <label className="inline">
          copies{' '}
          <input
            className="narrow"
            type="number"
            min={1}
            max={500}
            aria-label="pool size"
            value={size}
            onChange={(e) => setSize(e.target.value)}
          />
        </label>
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
      {progress.length > 0 && <pre className="progress">{progress.join('\n')}</pre>}
      {error && (
        <pre className="error" role="alert">
          {error}
        </pre>
      )}
    </section>
  );
}
