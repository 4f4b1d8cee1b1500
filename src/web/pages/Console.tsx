import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { socketUrl } from '../api.js';

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
    let ws: WebSocket | null = null;
    let gone = false;
    // The socket is authenticated by a single-use ticket, fetched with the token in a header.
    socketUrl(`/ranges/${encodeURIComponent(range)}/hosts/${encodeURIComponent(host)}/console`, {
      cols: String(term.cols),
      rows: String(term.rows),
    }).then(
      (url) => {
        if (gone) return;
        const s = new WebSocket(url);
        ws = s;
        s.onopen = () => setStatus('connected');
        s.onclose = (e) => setStatus(`closed${e.reason ? `: ${e.reason}` : ''}`);
        s.onmessage = (m) => term.write(typeof m.data === 'string' ? m.data : new Uint8Array(m.data as ArrayBuffer));
      },
      (e: Error) => setStatus(`failed: ${e.message}`),
    );
    const input = term.onData((d) => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ t: 'i', d })));
    const onResize = () => {
      fit.fit();
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: 'r', c: term.cols, r: term.rows }));
    };
    window.addEventListener('resize', onResize);
    term.focus();
    return () => {
      gone = true;
      window.removeEventListener('resize', onResize);
      input.dispose();
      ws?.close();
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
