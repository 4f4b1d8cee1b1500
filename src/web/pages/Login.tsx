import { useState } from 'react';
import { ApiError, type User, call, client, setToken } from '../api.js';

/** Sign in with a user name and password, or paste an API token. */
export function Login({ onLogin }: { onLogin: (u: User) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [token, setTok] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      if (token) setToken(token);
      else setToken((await call(client.POST('/api/login', { body: { username, password } }))).token);
      onLogin(await call(client.GET('/api/me')));
    } catch (err) {
      setToken(null);
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <form className="card login" onSubmit={submit}>
      <h1>Cyrange</h1>
      <label>
        User name <input name="username" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
      </label>
      <label>
        Password{' '}
        <input
          name="password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
        />
      </label>
      <p className="muted">or</p>
      <label>
        API token <input name="token" value={token} onChange={(e) => setTok(e.target.value.trim())} />
      </label>
      <button type="submit">Sign in</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
