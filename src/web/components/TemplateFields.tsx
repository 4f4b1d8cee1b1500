import { joinArgs, splitArgs } from '../args.js';
import { problemsAt } from '../check.js';
import { type DocPath, getIn, setIn } from '../doc.js';
import { LAUNCHERS, MICROVM_INITS, SANDBOX_KINDS } from '../../model/index.js';
import { EnvEditor } from './EnvEditor.js';
import { type EditorProps, Problems, SelectField, TextField } from './fields.js';

/**
 * A command as one line. A list is shown shell-quoted and read back with quotes kept together, so
 * `sh -c 'echo hi'` stays three arguments; a command written as one string stays one string.
 */
export function CommandField({
  doc,
  value,
  onChange,
  path,
  label,
  title,
}: Omit<EditorProps, 'check'> & { path: DocPath; label: string; title: string }) {
  const cmd = getIn(value, path);
  return (
    <input
      aria-label={label}
      title={title}
      placeholder="command (default: sleep infinity)"
      value={Array.isArray(cmd) ? joinArgs(cmd.map(String)) : typeof cmd === 'string' ? cmd : ''}
      onChange={(e) => {
        const t = e.target.value;
        const args = splitArgs(t);
        onChange(setIn(doc, path, args.length === 0 ? undefined : typeof cmd === 'string' ? t : args));
      }}
    />
  );
}

/** Paths under a host or plugin that `TemplateFields` shows the model's lines for. */
export const TEMPLATE_FIELDS = ['env', 'microvm', 'rootfs', 'sandbox'] as const;

/**
 * What a host and a plugin share beyond runtime, image and command: the sandbox and root filesystem
 * of a netns host, a microVM's boot files, and the environment. Settings for another runtime than
 * `runtime` (the one the host gets) show only when the document has them or the model names them.
 * `who` starts each field's label (`host 0`, `plugin 1`); `at` is the model's place (`vms[0]`, `plugins.web`).
 */
export function TemplateFields(props: EditorProps & { base: DocPath; at: string; who: string; owner: string; runtime: unknown }) {
  const { doc, value, check, onChange, base, at, who, runtime } = props;
  const f = { doc, value, onChange };
  const mv = [...base, 'microvm'];
  const sandboxLines = [...problemsAt(check, `${at}.sandbox`), ...problemsAt(check, `${at}.rootfs`)];
  const microvmLines = problemsAt(check, `${at}.microvm`);
  // A group the model names (a plugin's microvm settings on a host of another runtime) shows, with its line.
  const has = (k: string) => getIn(value, [...base, k]) !== undefined;
  // netns is the default runtime.
  const showSandbox = runtime === undefined || runtime === 'netns' || has('sandbox') || has('rootfs') || sandboxLines.length > 0;
  const showMicrovm = runtime === 'microvm' || has('microvm') || microvmLines.length > 0;
  return (
    <>
      {showSandbox && (
        <div className="row">
          <SelectField {...f} path={[...base, 'sandbox']} label={`${who} sandbox`} options={SANDBOX_KINDS} unset="sandbox (runc)" />
          <TextField {...f} path={[...base, 'rootfs']} label={`${who} rootfs`} placeholder="rootfs (debian-base)" />
          <Problems lines={sandboxLines} />
        </div>
      )}
      {showMicrovm && (
        <div className="row" data-testid={`microvm-${props.owner}`}>
          <span className="badge">microvm</span>
          <SelectField {...f} path={[...mv, 'launcher']} label={`${who} microvm launcher`} options={LAUNCHERS} unset="launcher (qemu)" />
          <TextField {...f} path={[...mv, 'kernel']} label={`${who} microvm kernel`} placeholder="kernel (Cyrange's)" />
          <TextField {...f} path={[...mv, 'initrd']} label={`${who} microvm initrd`} placeholder="initrd (Cyrange's)" />
          <TextField {...f} path={[...mv, 'disk']} label={`${who} microvm disk`} placeholder="disk (none)" />
          <TextField {...f} path={[...mv, 'append']} label={`${who} microvm append`} placeholder="kernel arguments" trim={false} />
          <SelectField {...f} path={[...mv, 'init']} label={`${who} microvm init`} options={MICROVM_INITS} unset="init (cyrange)" />
          <Problems lines={microvmLines} />
        </div>
      )}
      <EnvEditor {...props} />
    </>
  );
}
