// Host-local control agent: runs inside a host that has no network (vsock mode) and answers
// exec requests on a unix socket. Protocol, one JSON object per line each way:
//   client → agent: {"argv":[...]} first, then {"stdin":"<base64>"} ..., then {"eof":true}
//   agent → client: {"stdout":"<base64>"} / {"stderr":"<base64>"} ..., then {"exit":N}
// The command runs without a shell. Usage: node agent.mjs SOCKET_PATH
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: agent.mjs SOCKET\n');
  process.exit(2);
}
rmSync(path, { force: true });

const server = createServer((conn) => {
  let buf = '';
  let child = null;
  const send = (o) => conn.writable && conn.write(`${JSON.stringify(o)}\n`);
  conn.on('data', (chunk) => {
    buf += chunk.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let m;
      try {
        m = JSON.parse(line);
      } catch {
        continue;
      }
      if (!child && Array.isArray(m.argv) && m.argv.length > 0) {
        child = spawn(m.argv[0], m.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        child.stdout.on('data', (d) => send({ stdout: d.toString('base64') }));
        child.stderr.on('data', (d) => send({ stderr: d.toString('base64') }));
        child.stdin.on('error', () => {});
        child.on('error', (e) => {
          send({ stderr: Buffer.from(`${e.message}\n`).toString('base64') });
          send({ exit: 127 });
          conn.end();
        });
        child.on('close', (code, sig) => {
          send({ exit: code ?? 128 + (sig === 'SIGKILL' ? 9 : 15) });
          conn.end();
        });
      } else if (child && typeof m.stdin === 'string') child.stdin.write(Buffer.from(m.stdin, 'base64'));
      else if (child && m.eof) child.stdin.end();
    }
  });
  conn.on('close', () => child?.exitCode === null && child.kill('SIGKILL'));
  conn.on('error', () => {});
});
server.listen(path);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
