import { useEffect, useState } from 'react';
import { ApiError, type Schemas, call, client, followJob } from '../api.js';
import { InterfaceEditor } from '../components/InterfaceEditor.js';
import { type Draft, blueprintToDraft, draftHasProblems, draftToBlueprint, emptyDraft, networkProblem, usableNetworks } from '../draft.js';

type StoredBlueprint = Schemas['Blueprint'];

function parseSource(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return null;
  }
}

/** The range builder: networks, hosts and each host's interfaces, saved as a blueprint through the API. */
export function Builder({ go }: { go: (p: string) => void }) {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [id, setId] = useState<number | null>(null);
  const [list, setList] = useState<StoredBlueprint[]>([]);
  const [message, setMessage] = useState('');
  const [errors, setErrors] = useState<string[]>([]);
  const [progress, setProgress] = useState<string[]>([]);
  useEffect(() => {
    void call(client.GET('/api/blueprints')).then(setList);
  }, []);

  const edit = (fn: (d: Draft) => void) => {
    const next = structuredClone(draft);
    fn(next);
    setDraft(next);
  };
  const load = (b: StoredBlueprint) => {
    const raw = parseSource(b.source);
    if (!raw) return setErrors([`blueprint #${b.id} is YAML; edit it with the CLI or import it as JSON`]);
    setDraft(blueprintToDraft(raw));
    setId(b.id);
  };
  const save = async (): Promise<number | null> => {
    setErrors([]);
    setMessage('');
    try {
      // Stored as this text, which is what the server makes of a blueprint object.
      const body = { source: JSON.stringify(draftToBlueprint(draft), null, 2) };
      const saved = id
        ? await call(client.PUT('/api/blueprints/{id}', { params: { path: { id } }, body }))
        : await call(client.POST('/api/blueprints', { body }));
      setId(saved.id);
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

  const nets = usableNetworks(draft);
  const blocked = draftHasProblems(draft);
  return (
    <section className="builder">
      <h2>Range builder</h2>
      <div className="row">
        <select
          aria-label="open blueprint"
          value={id ?? ''}
          onChange={(e) => e.target.value && load(list.find((b) => b.id === Number(e.target.value)) as StoredBlueprint)}
        >
          <option value="">— open a saved blueprint —</option>
          {list.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name} (#{b.id})
            </option>
          ))}
        </select>
        <button
          type="button"
          onClick={() => {
            setDraft(emptyDraft());
            setId(null);
          }}
        >
          New
        </button>
      </div>
      <label>
        Range name{' '}
        <input
          aria-label="range name"
          value={draft.name}
          onChange={(e) =>
            edit((d) => {
              d.name = e.target.value;
            })
          }
        />
      </label>

      <h3>Networks</h3>
      {draft.networks.map((n, i) => {
        const problem = networkProblem(draft, i);
        return (
          <div className="row network" key={i} data-testid={`network-${i}`}>
            <input
              aria-label={`network ${i} name`}
              value={n.name}
              onChange={(e) =>
                edit((d) => {
                  (d.networks[i] as typeof n).name = e.target.value;
                })
              }
            />
            <input
              aria-label={`network ${i} subnet`}
              value={n.subnet}
              onChange={(e) =>
                edit((d) => {
                  (d.networks[i] as typeof n).subnet = e.target.value.trim();
                })
              }
            />
            <input
              aria-label={`network ${i} gateway`}
              placeholder="gateway (first address)"
              value={n.gateway}
              onChange={(e) =>
                edit((d) => {
                  (d.networks[i] as typeof n).gateway = e.target.value.trim();
                })
              }
            />
            <label className="inline">
              <input
                type="checkbox"
                checked={n.dhcp}
                onChange={(e) =>
                  edit((d) => {
                    (d.networks[i] as typeof n).dhcp = e.target.checked;
                  })
                }
              />{' '}
              DHCP
            </label>
            <button type="button" className="link" onClick={() => edit((d) => void d.networks.splice(i, 1))}>
              remove
            </button>
            {problem && (
              <span className="error" role="alert">
                {problem}
              </span>
            )}
          </div>
        );
      })}
      <button
        type="button"
        onClick={() =>
          edit(
            (d) =>
              void d.networks.push({
                name: `net${d.networks.length}`,
                subnet: `10.0.${d.networks.length + 1}.0/24`,
                gateway: '',
                dhcp: false,
              }),
          )
        }
      >
        + Add Network
      </button>

      <h3>Routes</h3>
      {draft.routes.map(([a, b], i) => (
        <div className="row" key={i}>
          {[a, b].map((v, k) => (
            <select
              key={k}
              value={v}
              onChange={(e) =>
                edit((d) => {
                  (d.routes[i] as [string, string])[k] = e.target.value;
                })
              }
            >
              {nets.map((n) => (
                <option key={n.name}>{n.name}</option>
              ))}
            </select>
          ))}
          <button type="button" className="link" onClick={() => edit((d) => void d.routes.splice(i, 1))}>
            remove
          </button>
        </div>
      ))}
      <button
        type="button"
        disabled={nets.length < 2}
        onClick={() => edit((d) => void d.routes.push([nets[0]?.name ?? '', nets[1]?.name ?? '']))}
      >
        + Add Route
      </button>

      <h3>Hosts</h3>
      {draft.hosts.map((h, hi) => (
        <div className="card host" key={hi} data-testid={`host-${hi}`}>
          <div className="row">
            <input
              aria-label={`host ${hi} name`}
              value={h.name}
              onChange={(e) =>
                edit((d) => {
                  (d.hosts[hi] as typeof h).name = e.target.value;
                })
              }
            />
            <select
              aria-label={`host ${hi} runtime`}
              value={h.runtime}
              onChange={(e) =>
                edit((d) => {
                  (d.hosts[hi] as typeof h).runtime = e.target.value as typeof h.runtime;
                })
              }
            >
              <option value="netns">netns</option>
              <option value="docker">docker</option>
              <option value="microvm">microvm</option>
            </select>
            <input
              aria-label={`host ${hi} image`}
              placeholder="image (docker)"
              value={h.image}
              onChange={(e) =>
                edit((d) => {
                  (d.hosts[hi] as typeof h).image = e.target.value;
                })
              }
            />
            <input
              aria-label={`host ${hi} command`}
              placeholder="command (default: sleep infinity)"
              value={h.command}
              onChange={(e) =>
                edit((d) => {
                  (d.hosts[hi] as typeof h).command = e.target.value;
                })
              }
            />
            {Object.keys(draft.plugins).length > 0 && (
              <select
                aria-label={`host ${hi} plugin`}
                value={h.plugin}
                onChange={(e) =>
                  edit((d) => {
                    (d.hosts[hi] as typeof h).plugin = e.target.value;
                  })
                }
              >
                <option value="">— no plugin —</option>
                {Object.keys(draft.plugins).map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            )}
            <button type="button" className="link" onClick={() => edit((d) => void d.hosts.splice(hi, 1))}>
              remove host
            </button>
          </div>
          <InterfaceEditor draft={draft} hostIndex={hi} onChange={setDraft} />
        </div>
      ))}
      <button
        type="button"
        onClick={() =>
          edit(
            (d) =>
              void d.hosts.push({
                name: `host${d.hosts.length + 1}`,
                runtime: 'netns',
                image: '',
                command: '',
                plugin: '',
                interfaces: [{ network: '', ip: '' }],
              }),
          )
        }
      >
        + Add Host
      </button>

      <div className="row actions">
        <button type="button" disabled={blocked} onClick={() => void save()}>
          Save
        </button>
        <button type="button" disabled={blocked} onClick={() => void deploy()}>
          Save and deploy
        </button>
        {message && <span className="ok">{message}</span>}
      </div>
      {errors.length > 0 && (
        <pre className="error" role="alert">
          {errors.join('\n')}
        </pre>
      )}
      {progress.length > 0 && <pre className="progress">{progress.join('\n')}</pre>}
    </section>
  );
}
