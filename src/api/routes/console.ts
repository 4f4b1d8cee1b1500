import { type Socket, connect } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Engine } from '../../engine/index.js';
import { CyrangeError } from '../../model/index.js';
import { caller, loadRange, rangeRights } from '../auth.js';

/**
 * A terminal over WebSocket into a host, behind the same authentication and authorization as
 * every route: the token comes with the upgrade. Client frames are JSON: `{"t":"i","d":"…"}` for
 * input, `{"t":"r","c":80,"r":24}` for a resize. Server frames carry terminal output.
 */
export async function consoleRoutes(app: FastifyInstance, opts: { engine: Engine }): Promise<void> {
  const { engine } = opts;
  /** Who may open a console: anyone who sees the range, but hidden hosts only for those who manage it. */
  const mayConsole = async (req: FastifyRequest<{ Params: { name: string; host: string } }>) => {
    const user = caller(req);
    const rec = await loadRange(engine, user, req.params.name, 'see');
    const host = rec.resolved.hosts.find((h) => h.name === req.params.host);
    if (!host) throw new CyrangeError('CYR_NOT_FOUND', `no host "${req.params.host}"`);
    const access = engine.access;
    const manage = access ? rangeRights(access, user, rec).manage : false;
    if (host.hidden && !manage) throw new CyrangeError('CYR_NOT_FOUND', `no host "${req.params.host}"`);
  };

  app.get<{ Params: { name: string; host: string } }>(
    '/ranges/:name/hosts/:host/vnc',
    {
      websocket: true,
      schema: { tags: ['hosts'], summary: "WebSocket carried to the host's VNC server (binary RFB; for noVNC)" },
      preValidation: mayConsole,
    },
    async (socket, req) => {
      // Frames may arrive before the relay is up: hold them until then.
      const early: Buffer[] = [];
      let tcp: Socket | null = null;
      socket.on('message', (d: Buffer) => (tcp ? tcp.write(d) : early.push(d)));
      socket.on('close', () => tcp?.destroy());
      let path: string;
      try {
        path = await engine.vncSocket(req.params.name, req.params.host);
      } catch (e) {
        socket.close(1011, (e as Error).message.slice(0, 120));
        return;
      }
      const conn = connect(path);
      conn.on('data', (d) => socket.readyState === socket.OPEN && socket.send(d));
      conn.on('close', () => socket.readyState === socket.OPEN && socket.close(1000, 'vnc closed'));
      conn.on('error', () => socket.readyState === socket.OPEN && socket.close(1011, 'vnc unreachable'));
      for (const d of early.splice(0)) conn.write(d);
      tcp = conn;
    },
  );

  app.get<{ Params: { name: string; host: string }; Querystring: { cols?: string; rows?: string } }>(
    '/ranges/:name/hosts/:host/console',
    {
      websocket: true,
      schema: { tags: ['hosts'], summary: 'WebSocket terminal into a host (token in Authorization or ?access_token=)' },
      preValidation: mayConsole,
    },
    async (socket, req) => {
      const cols = Number(req.query.cols) || 100;
      const rows = Number(req.query.rows) || 30;
      // Input may arrive before the shell is up: hold it until then.
      const early: Array<{ t: string; d?: string; c?: number; r?: number }> = [];
      let session: Awaited<ReturnType<Engine['console']>> | null = null;
      const apply = (m: { t: string; d?: string; c?: number; r?: number }) => {
        if (!session) return void early.push(m);
        if (m.t === 'i' && typeof m.d === 'string') session.write(m.d);
        else if (m.t === 'r' && m.c && m.r) session.resize(m.c, m.r);
      };
      socket.on('message', (raw: Buffer) => {
        try {
          apply(JSON.parse(raw.toString()));
        } catch {
          // Not one of our frames: ignore it.
        }
      });
      socket.on('close', () => session?.close());
      try {
        session = await engine.console(req.params.name, req.params.host, { cols, rows });
      } catch (e) {
        socket.send(`\r\n[cyrange] ${(e as Error).message}\r\n`);
        socket.close(1011, 'console failed');
        return;
      }
      const s = session;
      s.onData((d) => socket.readyState === socket.OPEN && socket.send(typeof d === 'string' ? d : d.toString('utf8')));
      s.onExit(() => socket.readyState === socket.OPEN && socket.close(1000, 'shell exited'));
      if (socket.readyState !== socket.OPEN) s.close();
      for (const m of early.splice(0)) apply(m);
    },
  );
}
