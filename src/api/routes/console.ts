import { type Socket, connect } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../../engine/index.js';
import { CyrangeError } from '../../model/index.js';
import { caller, loadRange } from '../auth.js';
import { ref } from '../schemas.js';

/**
 * A terminal over WebSocket into a host, behind the same authentication and authorization as
 * every route: an Authorization header, or (browsers) a single-use `?ticket=` from
 * POST /api/tickets. Client frames are JSON: `{"t":"i","d":"…"}` for input,
 * `{"t":"r","c":80,"r":24}` for a resize. Server frames carry terminal output. Both routes are
 * in the OpenAPI document (a plain GET answers 426 once authorized), so the authorization walk
 * covers them.
 */
export async function consoleRoutes(app: FastifyInstance, opts: { engine: Engine }): Promise<void> {
  const { engine } = opts;
  /** Who may open a console: anyone who sees the host in their view of the range (no hidden hosts for students). */
  const mayConsole = async (req: FastifyRequest<{ Params: { name: string; host: string } }>) => {
    const rec = await loadRange(engine, caller(req), req.params.name, 'see');
    if (!rec.resolved.hosts.some((h) => h.name === req.params.host))
      throw new CyrangeError('CYR_NOT_FOUND', `no host "${req.params.host}"`);
  };

  // `wsHandler` rather than `websocket: true`, which would hide the route from the document.
  const upgradeOnly = (_req: FastifyRequest, reply: FastifyReply) =>
    reply.code(426).header('upgrade', 'websocket').send({ code: 'CYR_UPGRADE_REQUIRED', message: 'this is a WebSocket endpoint' });

  app.route<{ Params: { name: string; host: string } }>({
    method: 'GET',
    url: '/ranges/:name/hosts/:host/vnc',
    schema: {
      operationId: 'openVnc',
      tags: ['hosts'],
      summary: "WebSocket carried to the host's VNC server (binary RFB; for noVNC; ?ticket= from POST /api/tickets)",
      querystring: {
        type: 'object',
        properties: { ticket: { type: 'string', description: 'A ticket from POST /api/tickets (browsers).' } },
      },
      response: {
        101: { type: 'null', description: 'Switched to the WebSocket protocol.' },
        426: { ...ref('Error'), description: 'A plain request, not a WebSocket upgrade.' },
      },
    },
    preValidation: mayConsole,
    handler: upgradeOnly,
    wsHandler: async (socket, req) => {
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
  });

  app.route<{ Params: { name: string; host: string }; Querystring: { cols?: string; rows?: string } }>({
    method: 'GET',
    url: '/ranges/:name/hosts/:host/console',
    schema: {
      operationId: 'openConsole',
      tags: ['hosts'],
      summary: 'WebSocket terminal into a host (Authorization header, or ?ticket= from POST /api/tickets)',
      querystring: {
        type: 'object',
        properties: {
          cols: { type: 'integer', minimum: 1, description: 'Terminal width (default 100).' },
          rows: { type: 'integer', minimum: 1, description: 'Terminal height (default 30).' },
          ticket: { type: 'string', description: 'A ticket from POST /api/tickets (browsers).' },
        },
      },
      response: {
        101: { type: 'null', description: 'Switched to the WebSocket protocol.' },
        426: { ...ref('Error'), description: 'A plain request, not a WebSocket upgrade.' },
      },
    },
    preValidation: mayConsole,
    handler: upgradeOnly,
    wsHandler: async (socket, req) => {
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
  });
}
