import { useEffect, useState } from 'react';
import { ApiError, type RangeView, type Schemas, call, client, followJob } from '../api.js';

/** What the server says applying a blueprint would change (a dry run), or why it cannot. */
type Preview = { id: number } & ({ lines: string[]; replaces: boolean } | { problems: string[] });

/**
 * Applies a changed blueprint to a deployed range: first the changes it would make are shown
 * (the server's dry run, the same diff `cyrange plan` prints), and only a confirmation applies them.
 */
export function ApplyBlueprint({ range, onDone }: { range: RangeView; onDone: () => void }) {
  const [list, setList] = useState<Schemas['Blueprint'][]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [replace, setReplace] = useState(false);
  const [status, setStatus] = useState('');
  useEffect(() => {
    void call(client.GET('/api/blueprints'))
      .then(setList)
      .catch(() => setList([]));
  }, []);
  const choose = async (id: number) => {
    setStatus('');
    setReplace(false);
    if (!list.some((x) => x.id === id)) return setPreview(null);
    try {
      const plan = await call(
        client.PUT('/api/ranges/{name}', { params: { path: { name: range.name } }, body: { blueprint_id: id, dry_run: true } }),
      );
      if (!('changes' in plan)) throw new Error('the server started a job instead of a dry run');
      setPreview({ id, lines: plan.changes.map((c) => c.summary), replaces: plan.replaces });
    } catch (e) {
      setPreview({ id, problems: e instanceof ApiError ? [e.message, ...e.problems.map((p) => p.line)] : [String(e)] });
    }
  };
  const apply = async () => {
    if (!preview) return;
    setStatus('applying…');
    try {
      const started = await call(
        client.PUT('/api/ranges/{name}', { params: { path: { name: range.name } }, body: { blueprint_id: preview.id, replace } }),
      );
      if (!('job_id' in started)) throw new Error('the server answered a dry run instead of starting a job');
      const end = await followJob(started.job_id, () => {});
      setStatus(end.status === 'succeeded' ? 'applied' : `apply ${end.status}: ${end.error?.message ?? ''}`);
      setPreview(null);
      onDone();
    } catch (e) {
      setStatus(e instanceof ApiError ? [e.message, ...e.problems.map((p) => p.line)].join('\n') : String(e));
    }
  };
  return (
    <div className="card" data-testid="apply-blueprint">
      <h3>Apply a changed blueprint</h3>
      <select aria-label="blueprint to apply" value={preview?.id ?? ''} onChange={(e) => void choose(Number(e.target.value))}>
        <option value="">— a saved blueprint —</option>
        {list.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name} (#{b.id})
          </option>
        ))}
      </select>
      {preview && 'problems' in preview && (
        <pre className="error" role="alert">
          {preview.problems.join('\n')}
        </pre>
      )}
      {preview && 'lines' in preview && (
        <>
          <pre className="progress" data-testid="apply-diff">
            {preview.lines.length ? preview.lines.join('\n') : 'no changes'}
          </pre>
          {preview.replaces && (
            <label className="inline">
              <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> also make the changes marked !
              (recreate or rebuild)
            </label>
          )}
          <div className="row">
            <button type="button" onClick={() => void apply()} disabled={preview.replaces && !replace}>
              Apply these changes
            </button>
            <button type="button" onClick={() => setPreview(null)}>
              Cancel
            </button>
          </div>
        </>
      )}
      {status && <pre data-testid="apply-status">{status}</pre>}
    </div>
  );
}
