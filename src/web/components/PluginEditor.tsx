import { problemsAt } from '../check.js';
import { type BlueprintDoc, getIn, readDoc, renameKey, setIn } from '../doc.js';
import { NETWORK_MODES, RUNTIMES } from '../../model/index.js';
import { type EditorProps, NumberField, Problems, SelectField, TextField } from './fields.js';
import { CommandField, TEMPLATE_FIELDS, TemplateFields } from './TemplateFields.js';
import { UsersEditor } from './UsersEditor.js';

/** The range's plugins: named host templates whose fields a host inherits unless it sets its own. */
export function PluginEditor(props: EditorProps) {
  const { doc, value, onChange } = props;
  const names = value.plugins && typeof value.plugins === 'object' && !Array.isArray(value.plugins) ? Object.keys(value.plugins) : [];
  const fresh = () => {
    let n = names.length + 1;
    while (names.includes(`plugin${n}`)) n++;
    return `plugin${n}`;
  };
  return (
    <>
      <h3>Plugins</h3>
      {names.map((name, i) => (
        // By index: a rename keeps the card, and the focus in it.
        <PluginCard key={i} {...props} index={i} name={name} />
      ))}
      <button type="button" onClick={() => onChange(setIn(doc, ['plugins', fresh()], { runtime: 'netns' }))}>
        + Add Plugin
      </button>
    </>
  );
}

function PluginCard(props: EditorProps & { index: number; name: string }) {
  const { doc, value, check, onChange, index: i, name } = props;
  const base = ['plugins', name];
  const at = `plugins.${name}`;
  const who = `plugin ${i}`;
  // A plugin is a named entry: an edit that empties it keeps it (setIn drops emptied maps).
  const keep = (d: BlueprintDoc) => (getIn(readDoc(d), base) === undefined ? setIn(d, base, {}) : d);
  const edit = { ...props, onChange: (d: BlueprintDoc) => onChange(keep(d)) };
  const f = { doc, value, onChange: edit.onChange };
  const rename = (to: string) => {
    let next = renameKey(doc, ['plugins'], name, to);
    if (next === doc) return;
    // Hosts that use the plugin follow it.
    const hosts = Array.isArray(value.vms) ? value.vms : [];
    hosts.forEach((h, j) => {
      if (h && (h as { plugin?: unknown }).plugin === name) next = setIn(next, ['vms', j, 'plugin'], to);
    });
    onChange(next);
  };
  const own = problemsAt(check, at, [`${at}.users`, ...TEMPLATE_FIELDS.map((k) => `${at}.${k}`)]);
  return (
    <div className="card plugin" data-testid={`plugin-${i}`}>
      <div className="row">
        <span className="badge">plugin</span>
        <input aria-label={`${who} name`} placeholder="name" value={name} onChange={(e) => rename(e.target.value.trim())} />
        <SelectField {...f} path={[...base, 'runtime']} label={`${who} runtime`} options={RUNTIMES} unset="runtime (default)" />
        <TextField {...f} path={[...base, 'image']} label={`${who} image`} placeholder="image (docker)" />
        <CommandField {...f} path={[...base, 'command']} label={`${who} command`} title={`command of plugin ${name}`} />
        <button type="button" className="link" onClick={() => onChange(setIn(doc, base, undefined))}>
          remove plugin
        </button>
      </div>
      <div className="row">
        <SelectField {...f} path={[...base, 'network', 'mode']} label={`${who} mode`} options={NETWORK_MODES} unset="mode (bridged)" />
        <TextField {...f} path={[...base, 'resources', 'memory']} label={`${who} memory`} placeholder="memory (256m)" />
        <NumberField {...f} path={[...base, 'resources', 'cpus']} label={`${who} cpus`} placeholder="cpus" />
      </div>
      <Problems lines={own} />
      <TemplateFields {...edit} base={base} at={at} who={who} owner={who} runtime={getIn(value, [...base, 'runtime'])} />
      <UsersEditor {...edit} base={base} at={at} owner={who} />
    </div>
  );
}
