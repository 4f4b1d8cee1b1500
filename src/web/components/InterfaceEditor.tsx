import { checkDoc, problemsAt, resolvedNic, takenOn } from '../check.js';
import { type DocPath, getIn, pushIn, removeAt, setIn } from '../doc.js';
import { type EditorProps, NumberField, Problems, TextField } from './fields.js';

interface Nic {
  network?: unknown;
  ip?: unknown;
}

/** The range's network names with their subnets, in blueprint order. */
export function networksOf(value: Record<string, unknown>): Array<{ name: string; subnet: string }> {
  const nets = Array.isArray(value.networks) ? value.networks : [];
  return nets.flatMap((n) => (n && typeof n.name === 'string' && n.name ? [{ name: n.name, subnet: String(n.subnet ?? '') }] : []));
}

/**
 * The NICs of one host. The first is Primary and cannot be removed; choosing a network fills in the
 * address the model allocates there (the user may change it); addresses other hosts hold are listed;
 * the model's problems show inline. Only this range's networks are offered. A legacy single-NIC host
 * (`network_id` + `ip_address`) is edited in that form.
 */
export function InterfaceEditor({ doc, value, check, onChange, hostIndex }: EditorProps & { hostIndex: number }) {
  const host = getIn(value, ['vms', hostIndex]) as { name?: unknown; interfaces?: unknown; network_id?: unknown; ip_address?: unknown };
  if (!host) return null;
  const name = String(host.name ?? hostIndex);
  const legacy = !Array.isArray(host.interfaces) && host.network_id !== undefined;
  const nics: Nic[] = legacy ? [{ network: host.network_id, ip: host.ip_address }] : Array.isArray(host.interfaces) ? host.interfaces : [];
  const base: DocPath = ['vms', hostIndex];
  const paths = (ni: number) =>
    legacy
      ? {
          nic: base,
          network: [...base, 'network_id'],
          ip: [...base, 'ip_address'],
          at: [`vms[${hostIndex}].network_id`, `vms[${hostIndex}].ip_address`],
        }
      : {
          nic: [...base, 'interfaces', ni],
          network: [...base, 'interfaces', ni, 'network'],
          ip: [...base, 'interfaces', ni, 'ip'],
          at: [`vms[${hostIndex}].interfaces[${ni}]`],
        };
  const nets = networksOf(value);
  const choose = (ni: number, network: string) => {
    const p = paths(ni);
    let next = setIn(setIn(doc, p.network, network || undefined), p.ip, undefined);
    // The address the model gives this NIC when it has none is what the field shows.
    const ip = network ? resolvedNic(checkDoc(next.text), hostIndex, network)?.ip : null;
    if (ip) next = setIn(next, p.ip, ip);
    onChange(next);
  };
  return (
    <div className="nics" data-testid={`nics-${name}`}>
      {nics.map((nic, ni) => {
        const p = paths(ni);
        const network = typeof nic.network === 'string' ? nic.network : '';
        const auto = network ? resolvedNic(check, hostIndex, network) : undefined;
        const taken = network ? takenOn(check, network, hostIndex) : [];
        const lines = p.at.flatMap((a) => problemsAt(check, a));
        return (
          <div className="nic" key={`${hostIndex}-${ni}`} data-testid={`nic-${name}-${ni}`}>
            <span className={ni === 0 ? 'badge primary' : 'badge'}>{ni === 0 ? 'Primary' : `eth${ni}`}</span>
            <select aria-label={`network of ${name} interface ${ni}`} value={network} onChange={(e) => choose(ni, e.target.value)}>
              <option value="">— network —</option>
              {nets.map((n) => (
                <option key={n.name} value={n.name}>
                  {n.name} ({n.subnet})
                </option>
              ))}
            </select>
            <TextField
              doc={doc}
              value={value}
              onChange={onChange}
              path={p.ip}
              label={`ip of ${name} interface ${ni}`}
              placeholder={auto ? (auto.ip ? `auto (${auto.ip})` : auto.addressing) : 'auto'}
            />
            {!legacy && (
              <>
                <TextField
                  doc={doc}
                  value={value}
                  onChange={onChange}
                  path={[...p.nic, 'mac']}
                  label={`mac of ${name} interface ${ni}`}
                  placeholder="mac (derived)"
                />
                <NumberField
                  doc={doc}
                  value={value}
                  onChange={onChange}
                  path={[...p.nic, 'rate_limit', 'ingress_mbps']}
                  label={`ingress Mbit/s of ${name} interface ${ni}`}
                  placeholder="in Mbit/s"
                />
                <NumberField
                  doc={doc}
                  value={value}
                  onChange={onChange}
                  path={[...p.nic, 'rate_limit', 'egress_mbps']}
                  label={`egress Mbit/s of ${name} interface ${ni}`}
                  placeholder="out Mbit/s"
                />
              </>
            )}
            {ni > 0 && (
              <button
                type="button"
                className="link"
                aria-label={`remove interface ${ni} of ${name}`}
                onClick={() => onChange(removeAt(doc, p.nic))}
              >
                remove
              </button>
            )}
            {auto && <span className="muted">{auto.ifname}</span>}
            {taken.length > 0 && <span className="taken">taken: {taken.join(', ')}</span>}
            <Problems lines={lines} />
          </div>
        );
      })}
      {legacy ? (
        <span className="muted">legacy single-NIC host (network_id): add NICs in the YAML tab as interfaces</span>
      ) : (
        <button type="button" onClick={() => onChange(pushIn(doc, [...base, 'interfaces'], { network: '' }))}>
          + Add Network Interface
        </button>
      )}
    </div>
  );
}
