import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { type User, call, client, getToken, setToken } from './api.js';
import { Builder } from './pages/Builder.js';
import { Console } from './pages/Console.js';
import { Login } from './pages/Login.js';
import { Pool } from './pages/Pool.js';
import { Pools } from './pages/Pools.js';
import { RangeDetail } from './pages/RangeDetail.js';
import { Ranges } from './pages/Ranges.js';
import { Vnc } from './pages/Vnc.js';
import './style.css';

function useHashPath(): [string, (p: string) => void] {
  const [path, setPath] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setPath(location.hash.slice(1) || '/');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return [path, (p) => (location.hash = p)];
}

function App() {
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(false);
  const [path, go] = useHashPath();
  /**
   * Signed in: a student who has exactly one range lands on it (their copy) instead of a list of
   * one, when they arrive at the start page; a link to another page is followed as it is.
   */
  const signedIn = async (u: User) => {
    if (u.role === 'student' && (location.hash.slice(1) || '/') === '/') {
      const ranges = await call(client.GET('/api/ranges')).catch(() => []);
      if (ranges.length === 1 && ranges[0]) go(`/ranges/${ranges[0].name}`);
    }
    setUser(u);
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, at start
  useEffect(() => {
    if (!getToken()) return setChecked(true);
    call(client.GET('/api/me'))
      .then(signedIn, () => setToken(null))
      .finally(() => setChecked(true));
  }, []);
  if (!checked) return null;
  if (!user) return <Login onLogin={(u) => void signedIn(u)} />;
  const parts = path.split('/').filter(Boolean);
  let page: React.ReactNode;
  if (parts[0] === 'ranges' && parts[1] && parts[2] === 'console' && parts[3]) page = <Console range={parts[1]} host={parts[3]} />;
  else if (parts[0] === 'ranges' && parts[1] && parts[2] === 'vnc' && parts[3]) page = <Vnc range={parts[1]} host={parts[3]} />;
  else if (parts[0] === 'ranges' && parts[1]) page = <RangeDetail key={parts[1]} name={parts[1]} user={user} go={go} />;
  else if (parts[0] === 'builder' && user.role !== 'student') page = <Builder go={go} />;
  else if (parts[0] === 'pools' && parts[1] && user.role !== 'student') page = <Pool key={parts[1]} name={parts[1]} go={go} />;
  else if (parts[0] === 'pools' && user.role !== 'student') page = <Pools />;
  else page = <Ranges user={user} go={go} />;
  return (
    <>
      <nav>
        <b>Cyrange</b>
        <a href="#/">Ranges</a>
        {user.role !== 'student' && <a href="#/pools">Pools</a>}
        {user.role !== 'student' && <a href="#/builder">Builder</a>}
        <a href="/api/docs">API</a>
        <span className="spacer" />
        <span className="muted">
          {user.name} ({user.role})
        </span>
        <button
          type="button"
          className="link"
          onClick={() => {
            setToken(null);
            setUser(null);
            go('/');
          }}
        >
          Sign out
        </button>
      </nav>
      <main>{page}</main>
    </>
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<App />);
