import RFB from '@novnc/novnc';
import { useEffect, useRef, useState } from 'react';
import { socketUrl } from '../api.js';

/** A host's graphical console: noVNC over the authenticated WebSocket proxy. */
export function Vnc({ range, host }: { range: string; host: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('connecting…');
  useEffect(() => {
    if (!el.current) return;
    const target = el.current;
    let rfb: RFB | null = null;
    let gone = false;
    // The socket is authenticated by a single-use ticket, fetched with the token in a header.
    socketUrl(`/ranges/${encodeURIComponent(range)}/hosts/${encodeURIComponent(host)}/vnc`).then(
      (url) => {
        if (gone) return;
        rfb = new RFB(target, url);
        rfb.scaleViewport = true;
        rfb.addEventListener('connect', () => setStatus('connected'));
        rfb.addEventListener('disconnect', () => setStatus('disconnected'));
      },
      (e: Error) => setStatus(`failed: ${e.message}`),
    );
    return () => {
      gone = true;
      rfb?.disconnect();
    };
  }, [range, host]);
  return (
    <section>
      <h2>
        {host}{' '}
        <span className="muted">
          VNC in {range} · {status}
        </span>
      </h2>
      <div className="vnc" ref={el} data-testid="vnc" />
    </section>
  );
}
