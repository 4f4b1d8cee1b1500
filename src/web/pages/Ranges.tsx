import { useCallback, useState } from 'react';
import { ApiError, type RangeView, type StepEvent, type User, call, client, followJob } from '../api.js';
import { BlueprintSelect, Grid, JobOutput, usePolling } from '../components/lists.js';

/** Range instances with state, host count and owner; deploy from a blueprint and destroy, with live progress. */
export function Ranges({ user, go }: { user: User; go: (path: string) => void }) {
  const [ranges, setRanges] = useState<RangeView[]>([]);
  const [blueprints, setBlueprints] = useState<Array<{ id: number; name: string }>>([]);
  const [progress, setProgress] = useState<string[]>([]);
  const [error, setError] = useState('');
  const [bp, setBp] = useState('');
  const [name, setName] = useState('');
  /** The job running now, which Cancel stops. */
  const [running, setRunning] = useState<string | null>(null);
  const canManage = user.role !== 'student';
  const load = useCallback(async () => {
    setRanges(await call(client.GET('/api/ranges')));
    if (canManage) setBlueprints(await call(client.GET('/api/blueprints')));
  }, [canManage]);
  usePolling(load, 3000);

  const run = async (start: () => Promise<{ job_id: string }>) => {
    setError('');
    setProgress([]);
    try {
      const { job_id } = await start();
      setRunning(job_id);
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
    } finally {
      setRunning(null);
    }
  };

  const cancel = async (jobId: string) => {
    try {
      await call(client.POST('/api/jobs/{id}/cancel', { params: { path: { id: jobId } } }));
    } catch (err) {
      // The job may have ended meanwhile (409): its end event says how.
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };

  return (
    <section>
      <h2>Ranges</h2>
      <Grid
        testId="ranges"
        columns={['Range', 'Blueprint', 'State', 'Hosts', 'Owner', '']}
        items={ranges}
        row={(r) => (
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
        )}
      />
      {canManage && (
        <form
          className="card row"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => call(client.POST('/api/ranges', { body: { blueprint_id: Number(bp), ...(name ? { name } : {}) } })));
          }}
        >
          <BlueprintSelect label="blueprint" value={bp} onChange={setBp} blueprints={blueprints} />
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
      <JobOutput
        progress={progress}
        error={error}
        testId="progress"
        onCancel={running && canManage ? () => void cancel(running) : undefined}
      />
    </section>
  );
}
