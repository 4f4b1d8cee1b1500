import { problemsAt } from '../check.js';
import { getIn, pushIn, removeAt, setIn } from '../doc.js';
import { type EditorProps, ListField, NumberField, Problems, TextField } from './fields.js';
import { networksOf } from './InterfaceEditor.js';

const EGRESS = ['none', 'nat', 'bridge'] as const;

/** One network: name, subnet, gateway, egress (and its host bridge), DHCP with an optional pool, DNS servers, reserved addresses. */
function NetworkRow({ doc, value, check, onChange, index }: EditorProps & { index: number }) {
  const base = ['networks', index] as const;
  const net = (getIn(value, base) ?? {}) as { egress?: unknown; dhcp?: unknown };
  const dhcp = net.dhcp;
  const pool = dhcp && typeof dhcp === 'object' ? (dhcp as Record<string, unknown>) : null;
  const f = { doc, value, onChange };
  const setDhcp = (start: string, end: string) => {
    // A pool needs both ends; with neither it is plain `dhcp: true`.
    const rest = pool ? Object.fromEntries(Object.entries(pool).filter(([k]) => k !== 'start' && k !== 'end')) : {};
    onChange(setIn(doc, [...base, 'dhcp'], start || end || Object.keys(rest).length ? { start, end, ...rest } : true));
  };
  return (
    <div className="row network" data-testid={`network-${index}`}>
      <TextField {...f} path={[...base, 'name']} label={`network ${index} name`} placeholder="name" />
      <TextField {...f} path={[...base, 'subnet']} label={`network ${index} subnet`} placeholder="subnet" />
      <TextField {...f} path={[...base, 'gateway']} label={`network ${index} gateway`} placeholder="gateway (first address)" />
      <select
        aria-label={`network ${index} egress`}
        value={typeof net.egress === 'string' ? net.egress : 'none'}
        onChange={(e) =>
          onChange(setIn(doc, [...base, 'egress'], e.target.value === 'none' && net.egress === undefined ? undefined : e.target.value))
        }
      >
        {EGRESS.map((x) => (
          <option key={x}>{x}</option>
        ))}
      </select>
      {net.egress === 'bridge' && (
        <TextField {...f} path={[...base, 'host_bridge']} label={`network ${index} host bridge`} placeholder="host bridge" />
      )}
      <label className="inline">
        <input
          type="checkbox"
          aria-label={`network ${index} dhcp`}
          checked={dhcp !== undefined && dhcp !== false}
          onChange={(e) => onChange(setIn(doc, [...base, 'dhcp'], e.target.checked ? true : undefined))}
        />{' '}
        DHCP
      </label>
      {dhcp !== undefined && dhcp !== false && (
        <>
          <input
            aria-label={`network ${index} dhcp start`}
            placeholder="pool start"
            value={String(pool?.start ?? '')}
            onChange={(e) => setDhcp(e.target.value.trim(), String(pool?.end ?? ''))}
          />
          <input
            aria-label={`network ${index} dhcp end`}
            placeholder="pool end"
            value={String(pool?.end ?? '')}
            onChange={(e) => setDhcp(String(pool?.start ?? ''), e.target.value.trim())}
          />
          {pool && (
            <NumberField {...f} path={[...base, 'dhcp', 'lease_seconds']} label={`network ${index} lease seconds`} placeholder="lease s" />
          )}
        </>
      )}
      <ListField {...f} path={[...base, 'dns']} label={`network ${index} dns`} placeholder="DNS servers" />
      <Problems lines={problemsAt(check, `networks[${index}].dns`)} />
      <ListField {...f} path={[...base, 'reserved']} label={`network ${index} reserved`} placeholder="reserved (a, b-c)" />
      <Problems lines={problemsAt(check, `networks[${index}].reserved`)} />
      <button type="button" className="link" onClick={() => onChange(removeAt(doc, base))}>
        remove
      </button>
      <Problems lines={problemsAt(check, `networks[${index}]`, [`networks[${index}].dns`, `networks[${index}].reserved`])} />
    </div>
  );
}

/** The range's networks and the routes between them. */
export function NetworkEditor(props: EditorProps) {
  const { doc, value, check, onChange } = props;
  const nets = Array.isArray(value.networks) ? value.networks : [];
  const routes = Array.isArray(value.routes) ? (value.routes as unknown[][]) : [];
  const names = networksOf(value).map((n) => n.name);
  return (
    <>
      <h3>Networks</h3>
      {nets.map((_, i) => (
        <NetworkRow key={i} {...props} index={i} />
      ))}
      <button
        type="button"
        onClick={() => onChange(pushIn(doc, ['networks'], { name: `net${nets.length}`, subnet: `10.0.${nets.length + 1}.0/24` }))}
      >
        + Add Network
      </button>

      <h3>Routes</h3>
      {routes.map((pair, i) => (
        <div className="row" key={i} data-testid={`route-${i}`}>
          {[0, 1].map((k) => (
            <select
              key={k}
              aria-label={`route ${i} network ${k}`}
              value={String(pair?.[k] ?? '')}
              onChange={(e) => onChange(setIn(doc, ['routes', i, k], e.target.value))}
            >
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          ))}
          <button type="button" className="link" onClick={() => onChange(removeAt(doc, ['routes', i]))}>
            remove
          </button>
          <Problems lines={problemsAt(check, `routes[${i}]`)} />
        </div>
      ))}
      <button type="button" disabled={names.length < 2} onClick={() => onChange(pushIn(doc, ['routes'], [names[0], names[1]]))}>
        + Add Route
      </button>
    </>
  );
}
