import { useCallback, useEffect, useState } from 'react';
import { ApiError, type RangeView, type Schemas, type User, call, client } from '../api.js';
import { ApplyBlueprint } from '../components/ApplyBlueprint.js';
import { Captures } from '../components/Captures.js';
import { Grid } from '../components/lists.js';
import { Snapshots } from '../components/Snapshots.js';
import { Topology } from '../components/Topology.js';

const HOST_ACTIONS = {
  start: '/api/ranges/{name}/hosts/{host}/start',
  stop: '/api/ranges/{name}/hosts/{host}/stop',
  restart: '/api/ranges/{name}/hosts/{host}/restart',
  reset: '/api/ranges/{name}/hosts/{host}/reset',
} as const;

/** Who may reset, snapshot and drive hosts: an admin, or the instructor who owns the range. */
export const managesRange = (user: User, range: Pick<RangeView, 'owner'>): boolean =>
  user.role === 'admin' || (user.role === 'instructor' && range.owner === user.name);

/** One line for the steps an action did: the failed ones, or how long it took. */
export function stepsSummary(what: string, steps: Schemas['StepResult'][]): { ok: boolean; text: string } {
  const failed = steps.filter((s) => s.status === 'failed');
  if (failed.length) return { ok: false, text: `${what} failed: ${failed.map((s) => `${s.step}: ${s.error ?? 'failed'}`).join('; ')}` };
  return { ok: true, text: `${what}: done in ${steps.reduce((n, s) => n + s.ms, 0)} ms` };
}

export const errorText = (e: unknown): string =>
  e instanceof ApiError ? [e.message, ...e.problems.map((p) => p.line)].join('\n') : String(e instanceof Error ? e.message : e);

/** One range: live topology, hosts with their NICs and addresses, host actions and consoles, reset, snapshots, capture. */
export function RangeDetail({ name, user, go }: { name: string; user: User; go: (p: string) => void }) {
  const [range, setRange] = useState<RangeView | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setRange(await call(client.GET('/api/ranges/{name}', { params: { path: { name } } })));
    } catch (e) {
      setError(errorText(e));
    }
  }, [name]);
  useEffect(() => {
    setRange(null);
    setError('');
    setNotice('');
    void load();
    const t = setInterval(() => void load(), 2000);
    return () => clearInterval(t);
  }, [load]);
  if (!range) return <p className={error ? 'error' : 'muted'}>{error || 'loading…'}</p>;
  const manage = managesRange(user, range);

  /** Runs one action at a time, with its outcome shown under the hosts. */
  const run = async (key: string, fn: () => Promise<{ ok: boolean; text: string } | undefined>) => {
    setBusy(key);
    setError('');
    setNotice('');
    try {
      const r = await fn();
      if (r) (r.ok ? setNotice : setError)(r.text);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
      await load();
    }
  };
  const act = (host: string, action: keyof typeof HOST_ACTIONS) =>
    void run(`${action}:${host}`, async () => {
      if (action === 'reset' && !window.confirm(`Reset ${host}? Everything written in it since it was deployed is lost.`)) return;
      const r = await call(client.POST(HOST_ACTIONS[action], { params: { path: { name, host } } }));
      return stepsSummary(`${action} ${host}`, r.steps);
    });
  const resetRange = () =>
    void run('reset', async () => {
      if (!window.confirm(`Reset every host of ${name}? Everything written in them since they were deployed is lost.`)) return;
      const r = await call(client.POST('/api/ranges/{name}/reset', { params: { path: { name } } }));
      return stepsSummary(`reset ${name}`, r.steps);
    });

  return (
    <section>
      <h2>
        {range.name} <span className={`state ${range.status}`}>{range.status}</span>
      </h2>
      {manage && (
        <div className="toolbar">
          <span className="muted">
            blueprint {range.blueprint}
            {range.owner ? ` · owner ${range.owner}` : ''}
          </span>
          <span className="spacer" />
          <button type="button" onClick={resetRange} disabled={busy !== null} data-testid="reset-range">
            {busy === 'reset' ? 'Resetting…' : 'Reset range'}
          </button>
        </div>
      )}
      <Topology range={range} />
      <Grid
        testId="hosts"
        columns={['Host', 'Runtime', 'State', 'Interfaces', '']}
        items={range.hosts ?? []}
        row={(h) => (
          <tr key={h.name} data-host={h.name}>
            <td>{h.name}</td>
            <td>{h.runtime}</td>
            <td className={`state ${h.state}`}>{h.state}</td>
            <td>
              {h.networks.map((n) => (
                <div key={n.network_id}>
                  {n.ifname} {n.network_name} <b>{n.ip_address ?? 'dhcp'}</b> <span className="muted">{n.mac}</span>
                  {n.is_primary && <span className="badge primary">Primary</span>}
                </div>
              ))}
            </td>
            <td className="actions">
              <button type="button" onClick={() => go(`/ranges/${name}/console/${h.name}`)}>
                Console
              </button>
              {h.vnc_port && (
                <button type="button" onClick={() => go(`/ranges/${name}/vnc/${h.name}`)}>
                  VNC
                </button>
              )}
              {manage && (
                <>
                  <button type="button" disabled={busy !== null} onClick={() => act(h.name, 'restart')}>
                    Restart
                  </button>
                  <button type="button" disabled={busy !== null} onClick={() => act(h.name, h.state === 'running' ? 'stop' : 'start')}>
                    {h.state === 'running' ? 'Stop' : 'Start'}
                  </button>
                  <button type="button" disabled={busy !== null} onClick={() => act(h.name, 'reset')}>
                    {busy === `reset:${h.name}` ? 'Resetting…' : 'Reset'}
                  </button>
                </>
              )}
            </td>
          </tr>
        )}
      />
      {notice && (
        <p className="notice" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {manage && <Snapshots range={name} onChange={load} />}
      {manage && <ApplyBlueprint range={range} onDone={() => void load()} />}
      <Captures range={range} preferHost={!manage} />
    </section>
  );
}
