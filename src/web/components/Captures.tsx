import { useState } from 'react';
import { type RangeView, ticket } from '../api.js';
import { Grid } from './lists.js';

type Net = RangeView['networks'][number];

/**
 * One network's capture: a pcap of its bridge (or of one host's NIC on it) for some seconds,
 * with an optional BPF filter. The download is a plain link, so it carries a single-use ticket
 * instead of the token, which never goes into a URL.
 */
function CaptureRow({ range, net, hosts, preferHost }: { range: string; net: Net; hosts: string[]; preferHost: boolean }) {
  const [seconds, setSeconds] = useState('10');
  const [filter, setFilter] = useState('');
  const [host, setHost] = useState(preferHost ? (hosts[0] ?? '') : '');
  const [status, setStatus] = useState('');
  const n = Number(seconds);
  const valid = Number.isInteger(n) && n >= 1 && n <= 86400;
  const download = async () => {
    setStatus('');
    try {
      const q = new URLSearchParams({ seconds: String(n) });
      if (filter.trim()) q.set('filter', filter.trim());
      if (host) q.set('host', host);
      q.set('ticket', await ticket());
      const a = document.createElement('a');
      a.href = `/api/ranges/${encodeURIComponent(range)}/networks/${encodeURIComponent(net.name)}/capture?${q}`;
      a.download = `${range}-${net.name}${host ? `-${host}` : ''}.pcap`;
      document.body.append(a);
      a.click();
      a.remove();
      setStatus(`capturing for ${n} s…`);
    } catch (e) {
      setStatus(`failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return (
    <tr data-network={net.name}>
      <td>{net.name}</td>
      <td>
        {net.subnet} <span className="muted">gw {net.gateway}</span>
      </td>
      <td>
        {net.egress}
        {net.dhcp ? ' · dhcp' : ''}
      </td>
      <td>
        <div className="row">
          <input
            className="narrow"
            type="number"
            min={1}
            max={86400}
            aria-label={`capture seconds on ${net.name}`}
            value={seconds}
            onChange={(e) => setSeconds(e.target.value)}
          />
          <span className="muted">s</span>
          <input
            aria-label={`capture filter on ${net.name}`}
            placeholder="BPF filter (optional), e.g. icmp"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <select aria-label={`capture host on ${net.name}`} value={host} onChange={(e) => setHost(e.target.value)}>
            <option value="">whole network</option>
            {hosts.map((h) => (
              <option key={h} value={h}>
                {h}'s NIC
              </option>
            ))}
          </select>
          <button type="button" disabled={!valid} onClick={() => void download()}>
            Download pcap
          </button>
          {status && <span className="muted">{status}</span>}
        </div>
      </td>
    </tr>
  );
}

/** The range's networks, each with a packet-capture download. */
export function Captures({ range, preferHost = false }: { range: RangeView; preferHost?: boolean }) {
  const hosts = range.hosts ?? [];
  return (
    <div data-testid="networks">
      <h3>Networks</h3>
      <Grid
        columns={['Network', 'Subnet', 'Egress', 'Capture']}
        items={range.networks}
        row={(n) => (
          <CaptureRow
            key={n.name}
            range={range.name}
            net={n}
            preferHost={preferHost}
            hosts={hosts.filter((h) => h.networks.some((x) => x.network_id === n.name)).map((h) => h.name)}
          />
        )}
      />
    </div>
  );
}
