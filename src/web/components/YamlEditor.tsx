import { problemLines } from '../check.js';
import { formatOf } from '../doc.js';
import type { EditorProps } from './fields.js';

/** The blueprint's own text, validated by the model as it is typed; the form and the canvas read the same text. */
export function YamlEditor({ doc, check, onChange }: Omit<EditorProps, 'value'>) {
  const lines = problemLines(check);
  return (
    <div className="source">
      <textarea
        aria-label="blueprint source"
        spellCheck={false}
        rows={Math.min(40, Math.max(12, doc.text.split('\n').length + 1))}
        value={doc.text}
        onChange={(e) => onChange({ text: e.target.value, format: formatOf(e.target.value) })}
      />
      <p className="muted">{doc.format === 'json' ? 'JSON (saved as JSON)' : 'YAML (saved as YAML, comments kept)'}</p>
      {lines.length > 0 ? (
        <pre className="error" role="alert" data-testid="source-problems">
          {lines.join('\n')}
        </pre>
      ) : (
        <p className="ok" data-testid="source-ok">
          valid
        </p>
      )}
    </div>
  );
}
