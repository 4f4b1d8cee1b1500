import { connect } from 'node:net';
import { CyrangeError } from '../model/index.js';
import { execStreams, forwardInput } from '../sys/index.js';
import { LineReader } from './line-reader.js';
import type { ExecOptions } from './runtime.js';

/**
 * Runs a command through a host's control agent (libexec/agent.mjs) over its unix socket:
 * the host-local channel of hosts without a network. Resolves with the exit code.
 */
export function execViaAgent(socketPath: string, argv: readonly string[], opts: ExecOptions = {}): Promise<number> {
  const { stdin, stdout, stderr } = execStreams(opts);
  return new Promise((resolve, reject) => {
    const conn = connect(socketPath);
    let code: number | null = null;
    let detach = () => {};
    conn.on('error', (e) => reject(new CyrangeError('CYR_RUNTIME', `control channel ${socketPath}: ${e.message}`)));
    conn.on('connect', () => {
      conn.write(`${JSON.stringify({ argv })}\n`);
      detach = forwardInput(
        stdin,
        (d) => conn.write(`${JSON.stringify({ stdin: d.toString('base64') })}\n`),
        () => conn.write(`${JSON.stringify({ eof: true })}\n`),
      );
      if (stdin === process.stdin && process.stdin.isTTY) conn.write(`${JSON.stringify({ eof: true })}\n`);
    });
    // Messages are chunks of output; one past 16 MiB is cut, never held whole.
    const reader = new LineReader(16 * 2 ** 20, (line) => {
      let m: { stdout?: string; stderr?: string; exit?: number };
      try {
        m = JSON.parse(line);
      } catch {
        return;
      }
      if (m.stdout) stdout.write(Buffer.from(m.stdout, 'base64'));
      if (m.stderr) stderr.write(Buffer.from(m.stderr, 'base64'));
      if (m.exit !== undefined) code = m.exit;
    });
    conn.on('data', (chunk: Buffer) => reader.push(chunk));
    conn.on('close', () => {
      detach();
      resolve(code ?? 1);
    });
  });
}
