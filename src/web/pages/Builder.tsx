import { useEffect, useMemo, useState } from 'react';
import { ApiError, type Schemas, call, client, followJob } from '../api.js';
import { BuilderCanvas } from '../components/BuilderCanvas.js';
import { HostEditor } from '../components/HostEditor.js';
import { NetworkEditor } from '../components/NetworkEditor.js';
import { PluginEditor } from '../components/PluginEditor.js';
import { PolicyEditor } from '../components/PolicyEditor.js';
import { YamlEditor } from '../components/YamlEditor.js';
import { BlueprintSelect } from '../components/lists.js';
import { NumberField, Problems, TextField } from '../components/fields.js';
import { checkDoc, problemLines, problemsAt } from '../check.js';
import { type BlueprintDoc, newDoc, openDoc, pushIn, readDoc } from '../doc.js';

type StoredBlueprint = Schemas['Blueprint'];
type Tab = 'form' | 'yaml' | 'canvas';
const TABS: ReadonlyArray<[Tab, string]> = [
  ['form', 'Form'],
  ['yaml', 'YAML'],
  ['canvas', 'Canvas'],
];

/**
 * The range builder. It edits the blueprint document itself (form, YAML text and graph are three
 * views of one text), validates it with the model the CLI uses, and saves it through the API.
 */
export function Builder({ go }: { go: (p: string) => void }) {
  const [doc, setDoc] = useState<BlueprintDoc>(newDoc);
  const [tab, setTab] = useState<Tab>('form');
  const [id, setId] = useState<number | null>(null);
  const [list, setList] = useState<StoredBlueprint[]>([]);
  const [message, setMessage] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [progress, setProgress] = useState<string[]>([]);
  useEffect(() => {
    void call(client.GET('/api/blueprints')).then(setList);
  }, []);
  const check = useMemo(() => checkDoc(doc.text), [doc.text]);
  const value = useMemo(() => readDoc(doc), [doc]);

  const load = (b: StoredBlueprint) => {
    setDoc(openDoc(b.source));
    setId(b.id);
    setErrors([]);
    setMessage('');
  };
  const save = async (): Promise<number | null> => {
    setErrors([]);
    setMessage('');
    try {
      const body = { source: doc.text };
      const saved = id
        ? await call(client.PUT('/api/blueprints/{id}', { params: { path: { id } }, body }))
        : await call(client.POST('/api/blueprints', { body }));
      setId(saved.id);
      // What is stored: the same text, with any plain password replaced by its hash.
      setDoc(openDoc(saved.source));
      setMessage(`saved blueprint #${saved.id}`);
      setList(await call(client.GET('/api/blueprints')));
      return saved.id;
    } catch (e) {
      setErrors(e instanceof ApiError ? (e.problems.length ? e.problems.map((p) => p.line) : [e.message]) : [String(e)]);
      return null;
    }
  };
  const deploy = async () => {
    const bid = await save();
    if (!bid) return;
    try {
      const { job_id, instance } = await call(client.POST('/api/ranges', { body: { blueprint_id: bid } }));
      setProgress([]);
      const end = await followJob(job_id, (e) => setProgress((p) => [...p, `${e.step} ${e.kind === 'step' ? e.status : e.message}`]));
      if (end.status === 'succeeded') go(`/ranges/${instance}`);
      else setErrors([end.error?.message ?? 'deploy failed']);
    } catch (e) {
      setErrors(e instanceof ApiError ? [e.message, ...e.problems.map((p) => p.line)] : [String(e)]);
    }
  };

  const blocked = check.problems.length > 0;
  const props = value ? { doc, value, check, onChange: setDoc } : null;
  const hosts = value && Array.isArray(value.vms) ? value.vms : [];
  return (
    <section className="builder">
      <h2>Range builder</h2>
      <div className="row">
        <BlueprintSelect
          label="open blueprint"
          none="— open a saved blueprint —"
          value={id ?? ''}
          blueprints={list}
          onChange={(v) => {
            const b = list.find((x) => x.id === Number(v));
            if (b) load(b);
          }}
        />
        <button
          type="button"
          onClick={() => {
            setDoc(newDoc());
            setId(null);
          }}
        >
          New
        </button>
        <span className="spacer" />
        {TABS.map(([t, label]) => (
          <button key={t} type="button" className={tab === t ? 'tab active' : 'tab'} aria-pressed={tab === t} onClick={() => setTab(t)}>
            {label}
          </button>
        ))}
      </div>

      {tab === 'yaml' && <YamlEditor doc={doc} check={check} onChange={setDoc} />}
      {tab !== 'yaml' && !props && (
        <p className="error" role="alert">
          The text does not parse as a blueprint; fix it in the YAML tab. {problemLines(check).join('; ')}
        </p>
      )}
      {tab === 'canvas' && props && <BuilderCanvas {...props} />}
      {tab === 'form' && props && (
        <div className="blueprint-form">
          <div className="row">
            <span>Range name</span>
            <TextField {...props} path={['name']} label="range name" placeholder="name" />
            <TextField {...props} path={['description']} label="description" trim={false} />
            <span className="muted">range cap:</span>
            <TextField {...props} path={['resources', 'memory']} label="range memory" placeholder="memory" />
            <NumberField {...props} path={['resources', 'cpus']} label="range cpus" placeholder="cpus" />
            <Problems lines={[...problemsAt(check, 'name'), ...problemsAt(check, 'resources')]} />
          </div>
          <PluginEditor {...props} />
          <NetworkEditor {...props} />
          <h3>Hosts</h3>
          {hosts.map((_, hi) => (
            <HostEditor key={hi} {...props} hostIndex={hi} />
          ))}
          <button
            type="button"
            onClick={() => setDoc(pushIn(doc, ['vms'], { name: `host${hosts.length + 1}`, interfaces: [{ network: '' }] }))}
          >
            + Add Host
          </button>
          <PolicyEditor {...props} />
        </div>
      )}

      <div className="row actions">
        <button type="button" disabled={blocked} onClick={() => void save()}>
          Save
        </button>
        <button type="button" disabled={blocked} onClick={() => void deploy()}>
          Save and deploy
        </button>
        {message && <span className="ok">{message}</span>}
        {blocked && <span className="muted">{check.problems.length} problem(s); see the YAML tab</span>}
      </div>
      {errors.length > 0 && (
        <pre className="error" role="alert" data-testid="save-errors">
          {errors.join('\n')}
        </pre>
      )}
      {progress.length > 0 && <pre className="progress">{progress.join('\n')}</pre>}
    </section>
  );
}
