import { type Draft, nextFreeIp, nicProblem, takenIps, usableNetworks } from '../draft.js';

interface Props {
  draft: Draft;
  hostIndex: number;
  onChange: (d: Draft) => void;
}

/**
 * The NICs of one host. The first is Primary and cannot be removed; choosing a network fills in
 * the next free address (the user may change it); taken addresses are listed; a duplicate network
 * or an address outside the subnet is refused inline. Only this range's networks are offered.
 */
export function InterfaceEditor({ draft, hostIndex, onChange }: Props) {
  const host = draft.hosts[hostIndex];
  if (!host) return null;
  const nets = usableNetworks(draft);
  const update = (fn: (h: typeof host) => void) => {
    const next: Draft = structuredClone(draft);
    const h = next.hosts[hostIndex];
    if (h) fn(h);
    onChange(next);
  };
  return (
    <div className="nics" data-testid={`nics-${host.name}`}>
      {host.interfaces.map((nic, ni) => {
        const problem = nicProblem(draft, hostIndex, ni);
        const taken = nic.network ? takenIps(draft, nic.network, { host: hostIndex, nic: ni }) : [];
        return (
          <div className="nic" key={`${hostIndex}-${ni}`} data-testid={`nic-${host.name}-${ni}`}>
            <span className={ni === 0 ? 'badge primary' : 'badge'}>{ni === 0 ? 'Primary' : `eth${ni}`}</span>
            <select
              aria-label={`network of ${host.name} interface ${ni}`}
              value={nic.network}
              onChange={(e) => {
                const network = e.target.value;
                update((h) => {
                  const n = h.interfaces[ni];
                  if (!n) return;
                  n.network = network;
                  n.ip = network ? (nextFreeIp(draft, network, { host: hostIndex, nic: ni }) ?? '') : '';
                });
              }}
            >
              <option value="">— network —</option>
              {nets.map((n) => (
                <option key={n.name} value={n.name}>
                  {n.name} ({n.subnet})
                </option>
              ))}
            </select>
            <input
              aria-label={`ip of ${host.name} interface ${ni}`}
              placeholder="auto"
              value={nic.ip}
              onChange={(e) =>
                update((h) => {
                  const n = h.interfaces[ni];
                  if (n) n.ip = e.target.value.trim();
                })
              }
            />
            {ni > 0 && (
              <button
                type="button"
                className="link"
                aria-label={`remove interface ${ni} of ${host.name}`}
                onClick={() => update((h) => void h.interfaces.splice(ni, 1))}
              >
                remove
              </button>
            )}
            {taken.length > 0 && <span className="taken">taken: {taken.join(', ')}</span>}
            {problem && (
              <span className="error" role="alert">
                {problem}
              </span>
            )}
          </div>
        );
      })}
      <button type="button" onClick={() => update((h) => void h.interfaces.push({ network: '', ip: '' }))}>
        + Add Network Interface
      </button>
    </div>
  );
}
