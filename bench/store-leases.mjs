// Lease allocation under contention: P processes each add K auto-addressed NICs to one range as
// fast as they can, on the store CYRANGE_DATABASE_URL names (PostgreSQL) or a temp SQLite file.
// Prints wall time, NICs/s, serialization retries and duplicate addresses, per PostgreSQL locking
// mode (row lock FOR UPDATE vs SERIALIZABLE with retries). Needs `npm run build`.
//   node bench/store-leases.mjs [P] [K]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRawRange, resolveRange } from '../dist/model/index.js';
import { openStore, retryStats } from '../dist/store/index.js';

const self = new URL(import.meta.url).pathname;

if (process.argv[2] === 'worker') {
  const [, , , loc, network, ...hosts] = process.argv;
  const store = await openStore(JSON.parse(loc));
  const ips = [];
  for (const h of hosts) ips.push((await store.addInterface('bench', h, network)).ip);
  await store.close();
  process.stdout.write(JSON.stringify({ ips, retries: retryStats.serializationRetries }));
  process.exit(0);
}

const P = Number(process.argv[2] ?? 4);
const K = Number(process.argv[3] ?? 50);
const url = process.env.CYRANGE_DATABASE_URL;
const hosts = Array.from({ length: P * K }, (_, i) => `h${i}`);
const source = `name: bench\nnetworks:\n  - { name: a, subnet: 10.1.0.0/16 }\n  - { name: b, subnet: 10.2.0.0/16 }\nvms:\n${hosts
  .map((h) => `  - { name: ${h}, interfaces: [{ network: a }] }`)
  .join('\n')}\n`;

async function round(mode) {
  const dir = mkdtempSync(join(tmpdir(), 'cyrange-bench-leases-'));
  const loc = url ? { url, locking: mode } : { stateDir: dir };
  const setup = await openStore(loc);
  await setup.deleteRange('bench');
  await setup.createRange({ resolved: resolveRange(loadRawRange(source)), source, kind: 'range', status: 'running' });
  await setup.close();
  const t0 = performance.now();
  const outs = await Promise.all(
    Array.from({ length: P }, (_, p) => {
      const mine = hosts.filter((_, i) => i % P === p);
      return new Promise((res, rej) => {
        const c = spawn(process.execPath, [self, 'worker', JSON.stringify(loc), 'b', ...mine], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (b) => {
          out += b;
        });
        c.on('close', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`worker exited ${code}`))));
      });
    }),
  );
  const ms = performance.now() - t0;
  const ips = outs.flatMap((o) => o.ips);
  const retries = outs.reduce((n, o) => n + o.retries, 0);
  const check = await openStore(loc);
  const rows = (await check.listInterfaces('bench')).filter((r) => r.network === 'b');
  await check.deleteRange('bench');
  await check.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `${url ? `postgres ${mode}` : 'sqlite'}: ${P} processes x ${K} NICs in ${ms.toFixed(0)} ms (${((P * K) / (ms / 1000)).toFixed(0)} NICs/s), ` +
      `${retries} serialization retries, ${ips.length - new Set(ips).size} duplicate addresses, ${rows.length} rows`,
  );
}

for (const mode of url ? ['lock', 'serializable', 'lock', 'serializable'] : ['sqlite']) await round(mode);
