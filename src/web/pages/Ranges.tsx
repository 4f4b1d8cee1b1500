import { useCallback, useEffect, useState } from 'react';
import { ApiError, type RangeView, type StepEvent, type User, call, client, followJob } from '../api.js';

/** Range instances with state, host count and owner; deploy from a blueprint and destroy, with live progress. */
export function Ranges({ user, go }: { user: User; go: (path: string) => void }) {
  const [ranges, setRanges] = useState<RangeView[]>([]);
  const [blueprints, setBlueprints] = useState<Array<{ id: number; name: string }>>([]);
  const [progress, setProgress] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [bp, setBp] = useState('');
  const [name, setName] = useState('');
  const canManage = user.role !== 'student';
  const load = useCallback(async () => {
    setRanges(await call(client.GET('/api/ranges')));
    if (canManage) setBlueprints(await call(client.GET('/api/blueprints')));
  }, [canManage]);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 3000);
    return () => clearInterval(t);
  }, [load]);

  const run = async (start: () => Promise<{ job_id: string }>) => {
    setError('');
    setProgress([]);
    try {
      const { job_id } = await start();
      const end = await followJob(job_id, (e: StepEvent) =>
        setProgress((p) => [
          ...p,
          e.kind === 'progress'
            ? `${e.step}: ${e.message}`
            : `${e.step} ${e.status}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}${e.error ? `: ${e.error}` : ''}`,
        ]),
      );
      if (end.status !== 'succeeded') setError(end.error?.message ?? end.status);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? [err.message, ...err.problems.map((p) => p.line)].join('\n') : String(err));
    }
  };

  return (
    <section>
      <h2>Ranges</h2>
      <table className="grid" data-testid="ranges">
        <thead>
          <tr>
            <th>Range</th>
            <th>Blueprint</th>
            <th>State</th>
            <th>Hosts</th>
            <th>Owner</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {ranges.map((r) => (
            <tr key={r.name}>
              <td>
                <a
                  href={`#/ranges/${r.name}`}
                  onClick={(e) => {
                    e.preventDefault();
                    go(`/ranges/${r.name}`);
                  }}
                >
                  {r.name}
                </a>
              </td>
              <td>{r.blueprint}</td>
              <td className={`state ${r.status}`}>{r.status}</td>
              <td>{r.host_count}</td>
              <td>{r.owner ?? '—'}</td>
              <td>
                {canManage && (
                  <button
                    type="button"
                    onClick={() => void run(() => call(client.DELETE('/api/ranges/{name}', { params: { path: { name: r.name } } })))}
                  >
                    Destroy
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canManage && (
        <form
          className="card row"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => call(client.POST('/api/ranges', { body: { blueprint_id: Number(bp), ...(name ? { name } : {}) } })));
          }}
        >
          <select aria-label="blueprint" value={bp} onChange={(e) => setBp(e.target.value)}>
            <option value="">— blueprint —</option>
            {blueprints.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name} (#{b.id})
              </option>
            ))}
          </select>
          <input
            aria-label="instance name"
            placeholder="instance name (default: blueprint name)"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" disabled={!bp}>
            Deploy
          </button>
        </form>
      )}
      {progress.length > 0 && (
        <pre className="progress" data-testid="progress">
          {progress.join('\n')}
        </pre>
      )}
      {error && (
        <pre className="error" role="alert">
          {error}
        </pre>
      )}
    </section>
  );
}
