import { problemsAt } from '../check.js';
import { getIn, pushIn, removeAt, setIn } from '../doc.js';
import { type EditorProps, NumberField, Problems, SelectField, TextField } from './fields.js';
import { networksOf } from './InterfaceEditor.js';

/** Traffic rules: on a host or a network, a direction, protocol, port, peer CIDR, allow or deny, and a priority. */
export function PolicyEditor({ doc, value, check, onChange }: EditorProps) {
  const list = Array.isArray(value.policies) ? (value.policies as Array<Record<string, unknown>>) : [];
  const hosts = (Array.isArray(value.vms) ? value.vms : []).flatMap((h) => (typeof h?.name === 'string' ? [h.name as string] : []));
  const nets = networksOf(value).map((n) => n.name);
  const f = { doc, value, onChange };
  return (
    <>
      <h3>Policies</h3>
      {list.map((p, i) => {
        const base = ['policies', i];
        const target = typeof p?.host === 'string' ? `host:${p.host}` : typeof p?.network === 'string' ? `network:${p.network}` : '';
        return (
          <div className="row policy" key={i} data-testid={`policy-${i}`}>
            <select
              aria-label={`policy ${i} target`}
              value={target}
              onChange={(e) => {
                const [kind, name] = e.target.value.split(':') as ['host' | 'network', string];
                const other = kind === 'host' ? 'network' : 'host';
                onChange(setIn(setIn(doc, [...base, other], undefined), [...base, kind], name));
              }}
            >
              <option value="">— host or network —</option>
              {hosts.map((h) => (
                <option key={`h${h}`} value={`host:${h}`}>
                  host {h}
                </option>
              ))}
              {nets.map((n) => (
                <option key={`n${n}`} value={`network:${n}`}>
                  network {n}
                </option>
              ))}
            </select>
            <SelectField
              {...f}
              path={[...base, 'direction']}
              label={`policy ${i} direction`}
              options={['ingress', 'egress']}
              unset="direction"
            />
            <SelectField {...f} path={[...base, 'protocol']} label={`policy ${i} protocol`} options={['tcp', 'udp', 'icmp']} unset="any" />
            <NumberField {...f} path={[...base, 'port']} label={`policy ${i} port`} placeholder="port or 1000-2000" />
            <TextField {...f} path={[...base, 'peer']} label={`policy ${i} peer`} placeholder="peer CIDR" />
            <SelectField {...f} path={[...base, 'action']} label={`policy ${i} action`} options={['allow', 'deny']} unset="action" />
            <NumberField {...f} path={[...base, 'priority']} label={`policy ${i} priority`} placeholder="priority (100)" />
            <button type="button" className="link" onClick={() => onChange(removeAt(doc, base))}>
              remove
            </button>
            <Problems lines={problemsAt(check, `policies[${i}]`)} />
          </div>
        );
      })}
      <button
        type="button"
        onClick={() =>
          onChange(
            pushIn(doc, ['policies'], {
              ...(nets[0] ? { network: nets[0] } : {}),
              direction: 'ingress',
              action: 'deny',
            }),
          )
        }
      >
        + Add Policy
      </button>
      {getIn(value, ['policies']) !== undefined && list.length === 0 && <span className="muted">no policies</span>}
    </>
  );
}
