import { problemsAt } from '../check.js';
import { getIn, removeAt } from '../doc.js';
import { RUNTIMES } from '../../model/index.js';
import { CheckField, type EditorProps, NumberField, Problems, SelectField, TextField } from './fields.js';
import { InterfaceEditor } from './InterfaceEditor.js';
import { CommandField, TEMPLATE_FIELDS, TemplateFields } from './TemplateFields.js';
import { UsersEditor } from './UsersEditor.js';

const MODES = ['bridged', 'dhcp', 'vsock'] as const;

/** One host: what it runs, its network mode, limits, visibility, sandbox or boot files, environment, users and NICs. */
export function HostEditor(props: EditorProps & { hostIndex: number }) {
  const { doc, value, check, onChange, hostIndex: hi } = props;
  const base = ['vms', hi];
  const host = (getIn(value, base) ?? {}) as { name?: unknown; interfaces?: unknown; runtime?: unknown; plugin?: unknown };
  const name = String(host.name ?? hi);
  const plugins = value.plugins && typeof value.plugins === 'object' ? Object.keys(value.plugins) : [];
  const f = { doc, value, onChange };
  const nicCount = Array.isArray(host.interfaces) ? host.interfaces.length : 0;
  // The runtime the host gets: its own, else its plugin's.
  const runtime = host.runtime ?? (typeof host.plugin === 'string' ? getIn(value, ['plugins', host.plugin, 'runtime']) : undefined);
  const own = problemsAt(check, `vms[${hi}]`, [
    `vms[${hi}].users`,
    ...TEMPLATE_FIELDS.map((k) => `vms[${hi}].${k}`),
    `vms[${hi}].network_id`,
    `vms[${hi}].ip_address`,
    ...Array.from({ length: nicCount }, (_, i) => `vms[${hi}].interfaces[${i}]`),
  ]);
  return (
    <div className="card host" data-testid={`host-${hi}`}>
      <div className="row">
        <TextField {...f} path={[...base, 'name']} label={`host ${hi} name`} placeholder="name" />
        {plugins.length > 0 && (
          <SelectField {...f} path={[...base, 'plugin']} label={`host ${hi} plugin`} options={plugins} unset="— no plugin —" />
        )}
        <SelectField {...f} path={[...base, 'runtime']} label={`host ${hi} runtime`} options={RUNTIMES} unset="runtime (default)" />
        <TextField {...f} path={[...base, 'image']} label={`host ${hi} image`} placeholder="image (docker)" />
        <CommandField {...f} path={[...base, 'command']} label={`host ${hi} command`} title={`command of ${name}`} />
        <button type="button" className="link" onClick={() => onChange(removeAt(doc, base, true))}>
          remove host
        </button>
      </div>
      <div className="row">
        <SelectField {...f} path={[...base, 'network', 'mode']} label={`host ${hi} mode`} options={MODES} unset="mode (bridged)" />
        <TextField {...f} path={[...base, 'resources', 'memory']} label={`host ${hi} memory`} placeholder="memory (256m)" />
        <NumberField {...f} path={[...base, 'resources', 'cpus']} label={`host ${hi} cpus`} placeholder="cpus" />
        <NumberField {...f} path={[...base, 'vnc_port']} label={`host ${hi} vnc port`} placeholder="VNC port" />
        <CheckField {...f} path={[...base, 'hidden']} label={`host ${hi} hidden`} />
        <CheckField {...f} path={[...base, 'ip_forward']} label={`host ${hi} ip_forward`} />
      </div>
      <Problems lines={own} />
      <TemplateFields {...props} base={base} at={`vms[${hi}]`} who={`host ${hi}`} owner={name} runtime={runtime} />
      <UsersEditor {...props} base={base} at={`vms[${hi}]`} owner={name} />
      <InterfaceEditor {...props} hostIndex={hi} />
    </div>
  );
}
