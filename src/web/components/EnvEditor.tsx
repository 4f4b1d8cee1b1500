import { problemsAt } from '../check.js';
import { type DocPath, getIn, renameKey, setIn } from '../doc.js';
import { type EditorProps, Problems } from './fields.js';

/**
 * The environment of a host or plugin, one row a variable. A key is renamed in its place (its value
 * and order stay); a rename onto another key is not taken, so no value is lost. An empty value is
 * kept: `FOO: ""` is a value.
 */
export function EnvEditor({ doc, value, check, onChange, base, at, owner }: EditorProps & { base: DocPath; at: string; owner: string }) {
  const path = [...base, 'env'];
  const env = getIn(value, path);
  const entries = env && typeof env === 'object' && !Array.isArray(env) ? Object.entries(env as Record<string, unknown>) : [];
  const fresh = () => {
    let n = entries.length + 1;
    while (entries.some(([k]) => k === `VAR${n}`)) n++;
    return `VAR${n}`;
  };
  return (
    <div className="env" data-testid={`env-${owner}`}>
      {entries.map(([k, v], j) => (
        <div className="row" key={j}>
          <span className="badge">env</span>
          <input
            aria-label={`env ${j} of ${owner} name`}
            placeholder="NAME"
            value={k}
            onChange={(e) => onChange(renameKey(doc, path, k, e.target.value.trim()))}
          />
          <span>=</span>
          <input
            aria-label={`env ${j} of ${owner} value`}
            placeholder="value"
            value={v === undefined || v === null ? '' : String(v)}
            onChange={(e) => onChange(setIn(doc, [...path, k], e.target.value))}
          />
          <button type="button" className="link" onClick={() => onChange(setIn(doc, [...path, k], undefined))}>
            remove variable
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange(setIn(doc, [...path, fresh()], ''))}>
        + Add Variable
      </button>
      <Problems lines={problemsAt(check, `${at}.env`)} />
    </div>
  );
}
