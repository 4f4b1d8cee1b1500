import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Schemas, call, client } from '../api.js';
import { Grid } from './lists.js';

type Snapshot = Schemas['Snapshot'];

const message = (e: unknown) => (e instanceof ApiError ? [e.message, ...e.problems.map((p) => p.line)].join('\n') : String(e));

/** A range's snapshots: take one, list them, put the range back to one, remove one. */
export function Snapshots({ range, onChange }: { range: string; onChange?: () => void }) {
  const [list, setList] = useState<Snapshot[]>([]);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState('');
  const path = { params: { path: { name: range } } };
  const load = useCallback(async () => {
    try {
      setList(await call(client.GET('/api/ranges/{name}/snapshots', { params: { path: { name: range } } })));
    } catch (e) {
      setError(message(e));
    }
  }, [range]);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (key: string, done: string, fn: () => Promise<unknown>) => {
    setBusy(key);
    setError('');
    setNotice('');
    try {
      await fn();
      setNotice(done);
    } catch (e) {
      setError(message(e));
    } finally {
      setBusy(null);
      await load();
      onChange?.();
    }
  };
  const take = () =>
    void run('take', `took snapshot ${name}`, async () => {
      await call(client.POST('/api/ranges/{name}/snapshots', { ...path, body: { name } }));
      setName('');
    });
  const restore = (s: string) => {
    if (!window.confirm(`Put every host of ${range} back to snapshot ${s}? What they wrote since is lost.`)) return;
    void run(`restore:${s}`, `restored snapshot ${s}`, () =>
      call(client.POST('/api/ranges/{name}/snapshots/{snapshot}/restore', { params: { path: { name: range, snapshot: s } } })),
    );
  };
  const remove = (s: string) => {
    if (!window.confirm(`Remove snapshot ${s}?`)) return;
    void run(`remove:${s}`, `removed snapshot ${s}`, () =>
      call(client.DELETE('/api/ranges/{name}/snapshots/{snapshot}', { params: { path: { name: range, snapshot: s } } })),
    );
  };

  return (
    <div data-testid="snapshots">
      <h3>Snapshots</h3>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (name) take();
        }}
      >
        <input aria-label="snapshot name" placeholder="snapshot name" value={name} onChange={(e) => setName(e.target.value.trim())} />
        <button type="submit" disabled={!name || busy !== null}>
          {busy === 'take' ? 'Taking…' : 'Take snapshot'}
        </button>
      </form>
      {list.length === 0 ? (
        <p className="muted">No snapshots yet.</p>
      ) : (
        <Grid
          columns={['Snapshot', 'Hosts', 'Taken', '']}
          items={list}
          row={(s) => (
            <tr key={s.name} data-snapshot={s.name}>
              <td>{s.name}</td>
              <td>{s.hosts.join(', ')}</td>
              <td>{new Date(s.created_at).toLocaleString()}</td>
              <td className="actions">
                <button type="button" disabled={busy !== null} onClick={() => restore(s.name)}>
                  {busy === `restore:${s.name}` ? 'Restoring…' : 'Restore'}
                </button>
                <button type="button" disabled={busy !== null} onClick={() => remove(s.name)}>
                  Remove
                </button>
              </td>
            </tr>
          )}
        />
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
