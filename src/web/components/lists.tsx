import { type ReactNode, useEffect } from 'react';

/** Calls `load` now and every `ms` until the component goes or `load` changes (a page's live list). */
export function usePolling(load: () => Promise<void>, ms: number): void {
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), ms);
    return () => clearInterval(t);
  }, [load, ms]);
}

/**
 * A table of `items`, one `row` (a `<tr>` with its key) each, under a header of `columns` (`''` for
 * an actions column). With `empty`, a list with no items shows that line across the table.
 */
export function Grid<T>({
  columns,
  items,
  row,
  empty,
  testId,
}: {
  columns: readonly string[];
  items: readonly T[];
  row: (item: T) => ReactNode;
  empty?: string;
  testId?: string;
}) {
  return (
    <table className="grid" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items.map(row)}
        {empty && items.length === 0 && (
          <tr>
            <td colSpan={columns.length} className="muted">
              {empty}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** A choice of saved blueprint, shown as `name (#id)`; the empty choice is `none`. */
export function BlueprintSelect({
  label,
  value,
  onChange,
  blueprints,
  none = '— blueprint —',
}: {
  label: string;
  value: string | number;
  onChange: (id: string) => void;
  blueprints: ReadonlyArray<{ id: number; name: string }>;
  none?: string;
}) {
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{none}</option>
      {blueprints.map((b) => (
        <option key={b.id} value={b.id}>
          {b.name} (#{b.id})
        </option>
      ))}
    </select>
  );
}

/**
 * A job's progress lines, then a notice of its outcome, then its error; each only when there is one.
 * `onCancel`, while the job runs: a Cancel button (the job's work stops and undoes itself).
 */
export function JobOutput({
  progress,
  notice,
  error,
  testId,
  onCancel,
}: {
  progress: readonly string[];
  notice?: string;
  error: string;
  testId?: string;
  onCancel?: (() => void) | undefined;
}) {
  return (
    <>
      {onCancel && (
        <button type="button" className="cancel-job" onClick={onCancel}>
          Cancel
        </button>
      )}
      {progress.length > 0 && (
        <pre className="progress" data-testid={testId}>
          {progress.join('\n')}
        </pre>
      )}
      {notice && (
        <p className="notice" role="status" data-testid="notice">
          {notice}
        </p>
      )}
      {error && (
        <pre className="error" role="alert">
          {error}
        </pre>
      )}
    </>
  );
}
