import { randomBytes } from 'node:crypto';
import { type Socket, connect } from 'node:net';
import { CyrangeError, shellQuote } from '../../model/index.js';
import { waitFor } from '../../sys/index.js';
import { LineReader } from '../line-reader.js';

/** Longest line taken from a guest: 64 MiB, about 48 MiB of exec output. */
const MAX_LINE = 64 * 2 ** 20;

/**
 * Client of a guest's control channel (virtio-serial port backed by a unix socket): one request per
 * line, answered by lines tagged with the request's id. See libexec/microvm/init for the guest end.
 * The socket takes one client at a time, so callers queue on the listen backlog.
 */
export class ControlChannel {
  private readonly waiters: Array<(line: string) => void> = [];

  private constructor(private readonly sock: Socket) {
    // The guest is untrusted: a line is at most MAX_LINE (an exec's whole output, base64), the rest is cut.
    const reader = new LineReader(MAX_LINE, (line) => {
      for (const w of [...this.waiters]) w(line);
    });
    sock.on('data', (d: Buffer) => reader.push(d));
  }

  /** Connects to the channel's socket. */
  static open(path: string): Promise<ControlChannel> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once('connect', () => resolve(new ControlChannel(s)));
      s.once('error', (e) => reject(new CyrangeError('CYR_RUNTIME', `control channel ${path}: ${e.message}`)));
    });
  }

  /**
   * Connects once the VM listens: QEMU creates the socket file before it listens on it, so a
   * refused or missing socket is retried while `alive` says the VM still runs.
   */
  static async openWhenReady(path: string, alive: () => boolean, timeoutMs: number): Promise<ControlChannel> {
    let channel: ControlChannel | null = null;
    let last: unknown = null;
    const opened = async () => {
      try {
        channel = await ControlChannel.open(path);
        return true;
      } catch (e) {
        if (!/ECONNREFUSED|ENOENT/.test((e as Error).message) || !alive()) throw e;
        last = e;
        return false;
      }
    };
    await waitFor(opened, { timeoutMs });
    if (!channel) throw last;
    return channel;
  }

  close(): void {
    this.sock.destroy();
  }

  /** Sends one request and collects the lines tagged with its id until `done` says the answer is complete. */
  private request(words: readonly string[], done: (fields: string[][]) => boolean, timeoutMs: number, resendMs = 0): Promise<string[][]> {
    const id = randomBytes(6).toString('hex');
    const line = `${id} ${words.join(' ')}\n`;
    return new Promise((resolve, reject) => {
      const got: string[][] = [];
      const finish = (err: Error | null) => {
        clearTimeout(timer);
        clearInterval(resend);
        this.waiters.splice(this.waiters.indexOf(onLine), 1);
        this.sock.off('close', onClose);
        err ? reject(err) : resolve(got);
      };
      const onLine = (l: string) => {
        const f = l.trim().split(' ');
        if (f[0] !== id) return;
        got.push(f.slice(1));
        if (done(got)) finish(null);
      };
      const onClose = () => finish(new CyrangeError('CYR_RUNTIME', 'control channel closed by the guest'));
      const timer = setTimeout(
        () => finish(new CyrangeError('CYR_TIMEOUT', `guest did not answer "${words[0]}" within ${timeoutMs} ms`)),
        timeoutMs,
      );
      // Until the guest opens its end, what we write may be dropped: status requests are repeated.
      const resend = resendMs > 0 ? setInterval(() => this.sock.write(line), resendMs) : undefined;
      this.waiters.push(onLine);
      this.sock.on('close', onClose);
      this.sock.write(line);
    });
  }

  /** Waits until the guest's init answers; resolves with its uptime in seconds. */
  async status(timeoutMs: number): Promise<number> {
    const r = await this.request(['status'], (g) => g.length > 0, timeoutMs, 500);
    return Number(r[0]?.[2] ?? 0);
  }

  /** Runs argv in the guest with `stdin`; resolves with its output and exit code once it ends. */
  async exec(argv: readonly string[], stdin: Buffer, timeoutMs: number): Promise<{ stdout: Buffer; stderr: Buffer; code: number }> {
    // An exec cannot be re-sent (it would run twice), and a line written while the guest is between
    // clients is dropped: a status answer first proves the guest reads this connection.
    await this.status(timeoutMs);
    const script = `exec ${argv.map(shellQuote).join(' ')}\n`;
    const r = await this.request(
      ['exec', Buffer.from(script).toString('base64'), stdin.toString('base64')],
      (g) => g.some((f) => f[0] === 'exit' || f[0] === 'error'),
      timeoutMs,
    );
    const field = (k: string) => r.find((f) => f[0] === k)?.[1] ?? '';
    if (r.some((f) => f[0] === 'error'))
      throw new CyrangeError('CYR_RUNTIME', `guest refused exec: ${r.map((f) => f.join(' ')).join('; ')}`);
    return { stdout: Buffer.from(field('out'), 'base64'), stderr: Buffer.from(field('err'), 'base64'), code: Number(field('exit')) };
  }

  /** Asks the guest to power off. */
  async shutdown(timeoutMs: number): Promise<void> {
    await this.request(['shutdown'], (g) => g.length > 0, timeoutMs);
  }
}
