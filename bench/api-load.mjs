// API latency under load: p50/p99 of GET /api/ranges/:name and GET /api/ranges at a fixed
// 500 requests/s, against a real server on 127.0.0.1 with a deployed 10-host range.
// Run as root after `npm run build`: node bench/api-load.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const CYRANGE = new URL('../bin/cyrange', import.meta.url).pathname;
const stateDir = mkdtempSync(join(tmpdir(), 'cyrange-bench-api-'));
const env = { ...process.env, CYRANGE_STATE_DIR: stateDir, CYRANGE_ADMIN_TOKEN: 'bench-admin-token-000000000' };
const PORT = 18900;
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

const vms = Array.from({ length: 10 }, (_, i) => `  - { name: h${i}, interfaces: [{ network: ${i % 2 ? 'lan' : 'dmz'} }] }`).join('\n');
const file = join(stateDir, 'load.yaml');
writeFileSync(
  file,
  `name: apiload\nnetworks:\n  - { name: lan, subnet: 10.61.0.0/24 }\n  - { name: dmz, subnet: 10.62.0.0/24 }\nvms:\n${vms}\n`,
);
spawnSync(CYRANGE, ['deploy', file], { env, stdio: 'ignore' });
const server = spawn(CYRANGE, ['serve', '--port', String(PORT)], { env, stdio: 'ignore' });

async function ready() {
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`http://127.0.0.1:${PORT}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

function load(path) {
  return autocannon({
    url: `http://127.0.0.1:${PORT}${path}`,
    headers: { authorization: `Bearer ${env.CYRANGE_ADMIN_TOKEN}` },
    connections: 20,
    overallRate: RATE,
    duration: SECONDS,
  });
}

try {
  await ready();
  // A short warm-up first, so JIT compilation is not measured.
  await autocannon({
    url: `http://127.0.0.1:${PORT}/api/ranges/apiload`,
    headers: { authorization: `Bearer ${env.CYRANGE_ADMIN_TOKEN}` },
    connections: 10,
    amount: 2000,
  });
  for (const path of ['/api/ranges/apiload', '/api/ranges']) {
    const r = await load(path);
    console.log(
      `GET ${path}: ${r.requests.total} requests at ${RATE}/s for ${SECONDS}s: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, ` +
        `non-2xx ${r.non2xx}, errors ${r.errors}`,
    );
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  spawnSync(CYRANGE, ['destroy', 'apiload'], { env, stdio: 'ignore' });
  rmSync(stateDir, { recursive: true, force: true });
}
