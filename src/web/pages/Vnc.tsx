import RFB from '@novnc/novnc';
import { useEffect, useRef, useState } from 'react';
import { getToken } from '../api.js';

/** A host's graphical console: noVNC over the authenticated WebSocket proxy. */
export function Vnc({ range, host }: { range: string; host: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('connecting…');
  useEffect(() => {
    if (!el.current) return;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${proto}://${location.host}/api/ranges/${range}/hosts/${host}/vnc?access_token=${encodeURIComponent(getToken() ?? '')}`;
    const rfb = new RFB(el.current, url);
    rfb.scaleViewport = true;
    rfb.addEventListener('connect', () => setStatus('connected'));
    rfb.addEventListener('disconnect', () => setStatus('disconnected'));
    return () => rfb.disconnect();
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
