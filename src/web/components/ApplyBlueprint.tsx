import { useEffect, useState } from 'react';
import { ApiError, type RangeView, type Schemas, call, client, followJob } from '../api.js';
import { COMPARED, previewApply } from '../plan-diff.js';

type Preview = ReturnType<typeof previewApply> & { id: number };

/**
 * Applies a changed blueprint to a deployed range: first the changes it would make are shown
 * (computed by the model from what the range page shows), and only a confirmation applies them.
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
  const choose = (id: number) => {
    const b = list.find((x) => x.id === id);
    setStatus('');
    setReplace(false);
    setPreview(b ? { ...previewApply(range, b.source), id } : null);
  };
  const apply = async () => {
    if (!preview) return;
    setStatus('applying…');
    try {
      const { job_id } = await call(
        client.PUT('/api/ranges/{name}', { params: { path: { name: range.name } }, body: { blueprint_id: preview.id, replace } }),
      );
      const end = await followJob(job_id, () => {});
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
      <select aria-label="blueprint to apply" value={preview?.id ?? ''} onChange={(e) => choose(Number(e.target.value))}>
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
          <p className="muted">Compared with what this page shows: {COMPARED}. Other fields are applied as the blueprint says.</p>
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
