import type { DocCheck } from '../check.js';
import { type BlueprintDoc, type DocPath, getIn, setIn } from '../doc.js';

/** What every part of the blueprint form gets: the document, its parsed value, the model's verdict, and a way to change it. */
export interface EditorProps {
  doc: BlueprintDoc;
  value: Record<string, unknown>;
  check: DocCheck;
  onChange: (doc: BlueprintDoc) => void;
}

type FieldProps = Pick<EditorProps, 'doc' | 'value' | 'onChange'> & { path: DocPath; label: string; placeholder?: string };

/** A text input bound to a path; emptying it removes the field. */
export function TextField({ doc, value, onChange, path, label, placeholder, trim = true }: FieldProps & { trim?: boolean }) {
  const v = getIn(value, path);
  return (
    <input
      aria-label={label}
      placeholder={placeholder ?? label}
      value={v === undefined || v === null ? '' : String(v)}
      onChange={(e) => {
        const t = trim ? e.target.value.trim() : e.target.value;
        onChange(setIn(doc, path, t === '' ? undefined : t));
      }}
    />
  );
}

/** A number input bound to a path; what is not a number is kept as typed, so the model names it. */
export function NumberField({ doc, value, onChange, path, label, placeholder }: FieldProps) {
  const v = getIn(value, path);
  return (
    <input
      aria-label={label}
      placeholder={placeholder ?? label}
      inputMode="decimal"
      className="num"
      value={v === undefined || v === null ? '' : String(v)}
      onChange={(e) => {
        const t = e.target.value.trim();
        onChange(setIn(doc, path, t === '' ? undefined : Number.isFinite(Number(t)) ? Number(t) : t));
      }}
    />
  );
}

/**
 * A list of strings as one comma-separated line; emptying it removes the field. An empty item stays
 * while it is typed (`a, `), so the next one can be started; the model names what is not valid.
 */
export function ListField({ doc, value, onChange, path, label, placeholder }: FieldProps) {
  const v = getIn(value, path);
  return (
    <input
      aria-label={label}
      placeholder={placeholder ?? label}
      value={Array.isArray(v) ? v.map(String).join(', ') : v === undefined || v === null ? '' : String(v)}
      onChange={(e) => {
        const t = e.target.value;
        onChange(setIn(doc, path, t.trim() === '' ? undefined : t.split(',').map((x) => x.trim())));
      }}
    />
  );
}

/** A checkbox for an optional boolean: unchecked removes it. */
export function CheckField({ doc, value, onChange, path, label }: FieldProps) {
  return (
    <label className="inline">
      <input
        type="checkbox"
        aria-label={label}
        checked={getIn(value, path) === true}
        onChange={(e) => onChange(setIn(doc, path, e.target.checked ? true : undefined))}
      />{' '}
      {label.split(' ').pop()}
    </label>
  );
}

/** A select over `options`; the empty choice (`unset`) removes the field, so a default or a plugin's value applies. */
export function SelectField({
  doc,
  value,
  onChange,
  path,
  label,
  options,
  unset,
}: FieldProps & { options: readonly string[]; unset: string }) {
  const v = getIn(value, path);
  return (
    <select
      aria-label={label}
      value={typeof v === 'string' ? v : ''}
      onChange={(e) => onChange(setIn(doc, path, e.target.value || undefined))}
    >
      <option value="">{unset}</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

/** The model's lines for one part of the form, in one alert; nothing when there are none. */
export function Problems({ lines }: { lines: readonly string[] }) {
  if (lines.length === 0) return null;
  return (
    <span className="error" role="alert">
      {lines.join('\n')}
    </span>
  );
}
