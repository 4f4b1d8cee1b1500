import { problemsAt } from '../check.js';
import { type DocPath, getIn, pushIn, removeAt, setIn } from '../doc.js';
import { CheckField, type EditorProps, Problems, TextField } from './fields.js';

/**
 * The users of a host: name, a password (plain text here; the server stores its crypt hash and
 * never the text), sudo and authorized SSH keys, one per line.
 */
export function UsersEditor({ doc, value, check, onChange, base, at, owner }: EditorProps & { base: DocPath; at: string; owner: string }) {
  const users = getIn(value, [...base, 'users']);
  const list = Array.isArray(users) ? (users as Array<Record<string, unknown>>) : [];
  const f = { doc, value, onChange };
  return (
    <div className="users" data-testid={`users-${owner}`}>
      {list.map((u, j) => {
        const p = [...base, 'users', j];
        const keys = Array.isArray(u?.ssh_authorized_keys) ? (u.ssh_authorized_keys as unknown[]).join('\n') : '';
        return (
          <div className="row" key={j}>
            <span className="badge">user</span>
            <TextField {...f} path={[...p, 'name']} label={`user ${j} of ${owner} name`} placeholder="login" />
            <TextField
              {...f}
              path={[...p, 'password']}
              trim={false}
              label={`user ${j} of ${owner} password`}
              placeholder={u?.passwd ? 'password (hashed one kept)' : 'password'}
            />
            <CheckField {...f} path={[...p, 'sudo']} label={`user ${j} of ${owner} sudo`} />
            <textarea
              aria-label={`user ${j} of ${owner} ssh keys`}
              placeholder="ssh keys, one per line"
              rows={1}
              value={keys}
              onChange={(e) => {
                // Lines stay as typed (an empty one is the next key being started); the model names a bad one.
                const t = e.target.value;
                onChange(setIn(doc, [...p, 'ssh_authorized_keys'], t === '' ? undefined : t.split('\n')));
              }}
            />
            <button type="button" className="link" onClick={() => onChange(removeAt(doc, p))}>
              remove user
            </button>
            <Problems lines={problemsAt(check, `${at}.users[${j}]`)} />
          </div>
        );
      })}
      <button type="button" onClick={() => onChange(pushIn(doc, [...base, 'users'], { name: `user${list.length + 1}` }))}>
        + Add User
      </button>
    </div>
  );
}
