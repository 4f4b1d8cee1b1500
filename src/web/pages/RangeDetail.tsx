import { useCallback, useEffect, useState } from 'react';
import { ApiError, type RangeView, type User, api } from '../api.js';
import { Topology } from '../components/Topology.js';

/** One range: live topology, hosts with their NICs and addresses, host actions and consoles. */
export function RangeDetail({ name, user, go }: { name: string; user: User; go: (p: string) => void }) {
  const [range, setRange] = useState<RangeView | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    try {
      setRange(await api<RangeView>('GET', `/ranges/${name}`));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }, [name]);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 2000);
    return () => clearInterval(t);
  }, [load]);
  if (!range) return <p className={error ? 'error' : 'muted'}>{error || 'loading…'}</p>;
  const act = (host: string, action: string) =>
    void api('POST', `/ranges/${name}/hosts/${host}/${action}`).then(load, (e) => setError(String(e.message)));
  return (
    <section>
      <h2>
        {range.name} <span className={`state ${range.status}`}>{range.status}</span>
      </h2>
      <Topology range={range} />
      <table className="grid" data-testid="hosts">
        <thead>
          <tr>
            <th>Host</th>
            <th>Runtime</th>
            <th>State</th>
            <th>Interfaces</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(range.hosts ?? []).map((h) => (
            <tr key={h.name}>
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
              <td>
                <button type="button" onClick={() => go(`/ranges/${name}/console/${h.name}`)}>
                  Console
                </button>
                {h.vnc_port && (
                  <button type="button" onClick={() => go(`/ranges/${name}/vnc/${h.name}`)}>
                    VNC
                  </button>
                )}
                {user.role !== 'student' && (
                  <>
                    <button type="button" onClick={() => act(h.name, 'restart')}>
                      Restart
                    </button>
                    <button type="button" onClick={() => act(h.name, h.state === 'running' ? 'stop' : 'start')}>
                      {h.state === 'running' ? 'Stop' : 'Start'}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && <p className="error">{error}</p>}
    </section>
  );
}
