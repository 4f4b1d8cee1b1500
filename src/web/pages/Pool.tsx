import { useCallback, useState } from 'react';
import { type Schemas, call, client } from '../api.js';
import { Grid, JobOutput, usePolling } from '../components/lists.js';
import { errorText, stepsSummary } from './RangeDetail.js';
import { CopiesField, runPoolJob } from './Pools.js';

type PoolDetail = Schemas['PoolDetail'];

/** One pool: a row per copy with its student and state, reset and console per copy, resize and destroy. */
export function Pool({ name, go }: { name: string; go: (p: string) => void }) {
  const [pool, setPool] = useState<PoolDetail | null>(null);
  const [size, setSize] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [progress, setProgress] = useState<string[]>([]);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      const p = await call(client.GET('/api/pools/{name}', { params: { path: { name } } }));
      setPool(p);
      setSize((s) => s || String(p.members.length));
    } catch (e) {
      setError(errorText(e));
    }
  }, [name]);
  usePolling(load, 3000);

  const run = async (key: string, fn: () => Promise<void>) => {
    setBusy(key);
    setError('');
    setNotice('');
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
      await load();
    }
  };
  const reset = (instance: string) =>
    void run(`reset:${instance}`, async () => {
      if (!window.confirm(`Reset ${instance}? Everything its hosts wrote since they were deployed is lost.`)) return;
      const r = await call(client.POST('/api/ranges/{name}/reset', { params: { path: { name: instance } } }));
      const s = stepsSummary(`reset ${instance}`, r.steps);
      (s.ok ? setNotice : setError)(s.text);
    });
  /** The console of the copy's first host its student sees. */
  const openConsole = (instance: string) =>
    void run(`console:${instance}`, async () => {
      const r = await call(client.GET('/api/ranges/{name}', { params: { path: { name: instance } } }));
      const host = (r.hosts ?? []).find((h) => !h.hidden) ?? r.hosts?.[0];
      if (!host) throw new Error(`${instance} has no hosts`);
      go(`/ranges/${instance}/console/${host.name}`);
    });
  const resize = () =>
    void run('resize', async () => {
      setProgress([]);
      const { job_id } = await call(client.POST('/api/pools/{name}/resize', { params: { path: { name } }, body: { size: Number(size) } }));
      const failed = await runPoolJob(job_id, (l) => setProgress((p) => [...p, l]));
      if (failed) setError(failed);
      else setNotice(`${name} has ${size} copies`);
    });
  const destroy = () =>
    void run('destroy', async () => {
      if (!window.confirm(`Destroy pool ${name} and every copy in it? Its students lose their ranges.`)) return;
      setProgress([]);
      const { job_id } = await call(client.DELETE('/api/pools/{name}', { params: { path: { name } } }));
      const failed = await runPoolJob(job_id, (l) => setProgress((p) => [...p, l]));
      if (failed) setError(failed);
      else go('/pools');
    });

  if (!pool) return <p className={error ? 'error' : 'muted'}>{error || 'loading…'}</p>;
  const n = Number(size);
  return (
    <section>
      <h2>
        <a href="#/pools">Pools</a> / {pool.name}
      </h2>
      <p className="muted">
        {pool.members.length} copies · {pool.members.filter((m) => m.status === 'running').length} running · students{' '}
        {pool.student_reset ? 'may' : 'may not'} reset their copy
      </p>
      <Grid
        testId="pool-members"
        columns={['#', 'Copy', 'Student', 'State', 'Hosts', '']}
        items={pool.members}
        row={(m) => (
          <tr key={m.instance} data-instance={m.instance}>
            <td>{m.position}</td>
            <td>
              <a href={`#/ranges/${m.instance}`}>{m.instance}</a>
            </td>
            <td>{m.student ?? <span className="muted">—</span>}</td>
            <td className={`state ${m.status}`}>{m.status}</td>
            <td>{m.host_count}</td>
            <td className="actions">
              <button type="button" disabled={busy !== null || m.status === 'missing'} onClick={() => reset(m.instance)}>
                {busy === `reset:${m.instance}` ? 'Resetting…' : 'Reset'}
              </button>
              <button type="button" disabled={busy !== null || m.host_count === 0} onClick={() => openConsole(m.instance)}>
                Console
              </button>
            </td>
          </tr>
        )}
      />
      <div className="toolbar">
        <CopiesField min={0} value={size} onChange={setSize} />
        <button
          type="button"
          disabled={busy !== null || !Number.isInteger(n) || n < 0 || n > 500 || n === pool.members.length}
          onClick={resize}
        >
          {busy === 'resize' ? 'Resizing…' : 'Resize'}
        </button>
        <span className="spacer" />
        <button type="button" disabled={busy !== null} onClick={destroy}>
          {busy === 'destroy' ? 'Destroying…' : 'Destroy pool'}
        </button>
      </div>
      <JobOutput progress={progress} notice={notice} error={error} />
    </section>
  );
}
