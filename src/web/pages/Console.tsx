import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { getToken } from '../api.js';

/** A terminal into one host over the authenticated WebSocket console. */
export function Console({ range, host }: { range: string; host: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('connecting…');
  useEffect(() => {
    if (!el.current) return;
    const term = new Terminal({ convertEol: false, fontSize: 14, cursorBlink: true });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el.current);
    fit.fit();
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const q = new URLSearchParams({ access_token: getToken() ?? '', cols: String(term.cols), rows: String(term.rows) });
    const ws = new WebSocket(`${proto}://${location.host}/api/ranges/${range}/hosts/${host}/console?${q}`);
    ws.onopen = () => setStatus('connected');
    ws.onclose = (e) => setStatus(`closed${e.reason ? `: ${e.reason}` : ''}`);
    ws.onmessage = (m) => term.write(typeof m.data === 'string' ? m.data : new Uint8Array(m.data as ArrayBuffer));
    const input = term.onData((d) => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ t: 'i', d })));
    const onResize = () => {
      fit.fit();
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'r', c: term.cols, r: term.rows }));
    };
    window.addEventListener('resize', onResize);
    term.focus();
    return () => {
      window.removeEventListener('resize', onResize);
      input.dispose();
      ws.close();
      term.dispose();
    };
  }, [range, host]);
  return (
    <section>
      <h2>
        {host}{' '}
        <span className="muted">
          in {range} · {status}
        </span>
      </h2>
      <div className="terminal" ref={el} data-testid="terminal" />
    </section>
  );
}
