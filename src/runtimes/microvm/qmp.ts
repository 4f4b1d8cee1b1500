import { type Socket, connect } from 'node:net';
import { CyrangeError } from '../../model/index.js';
import { LineReader } from '../line-reader.js';

/** A QEMU Machine Protocol session on a unix socket: JSON commands, one answer each, events between. */
export class Qmp {
  private readonly pending: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void; what: string }> = [];
  private readonly listeners: Array<(event: string, data: unknown) => void> = [];

  private constructor(private readonly sock: Socket) {
    // QEMU's answers are small; a monitor line past 1 MiB is cut, not held.
    const reader = new LineReader(2 ** 20, (line) => {
      let msg: { return?: unknown; error?: { desc: string }; event?: string; data?: unknown };
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      if (msg.event) for (const l of this.listeners) l(msg.event, msg.data);
      else if ('return' in msg || msg.error) {
        const p = this.pending.shift();
        if (msg.error) p?.reject(new CyrangeError('CYR_RUNTIME', `QEMU ${p.what}: ${msg.error.desc}`));
        else p?.resolve(msg.return);
      }
    });
    sock.on('data', (d: Buffer) => reader.push(d));
  }

  /** Connects, reads the greeting and leaves capabilities negotiation. */
  static async open(path: string): Promise<Qmp> {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(s));
      s.once('error', (e) => reject(new CyrangeError('CYR_RUNTIME', `QEMU monitor ${path}: ${e.message}`)));
    });
    const q = new Qmp(sock);
    // The greeting has neither `return` nor `event`: the first command's answer follows it.
    await q.command('qmp_capabilities');
    return q;
  }

  command(execute: string, args?: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject, what: execute });
      this.sock.write(`${JSON.stringify(args ? { execute, arguments: args } : { execute })}\n`);
    });
  }

  /** Resolves when `event` arrives with data that `match` accepts, or rejects after `timeoutMs`. */
  waitEvent(event: string, match: (data: unknown) => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new CyrangeError('CYR_TIMEOUT', `QEMU event ${event} did not come in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.listeners.push((e, d) => {
        if (e === event && match(d)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  close(): void {
    this.sock.destroy();
  }
}
