import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ON_PG, dropTestStores, freshLocation } from '../../test/store-backend.js';
import { loadRawRange, resolveRange } from '../model/index.js';
import type { StoreLocation } from './db.js';
import { openStore } from './store.js';

const TESTDATA = resolve(import.meta.dirname, 'testdata');
const children: Array<ChildProcessByStdio<Writable, Readable, Readable>> = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await dropTestStores();
});

/** A child `node` running the store's TypeScript sources with its own connection (testdata/lease-worker.mjs). */
function worker(loc: StoreLocation, network: string, hosts: readonly string[]) {
  const c = spawn(
    process.execPath,
    ['--import', join(TESTDATA, 'register-ts.mjs'), join(TESTDATA, 'lease-worker.mjs'), JSON.stringify(loc), 'lease', network, ...hosts],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(c);
  let out = '';
  let err = '';
  let onReady: () => void;
  const ready = new Promise<void>((res) => {
    onReady = res;
  });
  c.stdout.on('data', (b) => {
    out += b;
    if (out.startsWith('ready\n')) onReady();
  });
  c.stderr.on('data', (b) => {
    err += b;
  });
  const done = new Promise<string[]>((res, rej) => {
    c.on('close', (code) => (code === 0 ? res(JSON.parse(out.slice('ready\n'.length))) : rej(new Error(`worker exited ${code}: ${err}`))));
  });
  // A child that dies before it is ready fails the test instead of hanging it.
  return { ready: Promise.race([ready, done.then(() => undefined)]), go: () => c.stdin.end('go\n'), done };
}

// PostgreSQL serializes a range's edits with a row lock (the default) or SERIALIZABLE with retries; both are checked.
const MODES = ON_PG ? (['lock', 'serializable'] as const) : (['sqlite'] as const);

describe('leases under concurrency', () => {
  it.each(MODES)(
    'hands out 100 distinct addresses on one network to two processes allocating at once (%s)',
    async (mode) => {
      const fresh = await freshLocation();
      const loc: StoreLocation = 'url' in fresh && mode !== 'sqlite' ? { url: fresh.url, locking: mode } : fresh;
      const hosts = Array.from({ length: 100 }, (_, i) => `h${i}`);
      const source = `name: lease\nnetworks:\n  - { name: a, subnet: 10.1.0.0/16 }\n  - { name: b, subnet: 10.2.0.0/24 }\nvms:\n${hosts
        .map((h) => `  - { name: ${h}, interfaces: [{ network: a }] }`)
        .join('\n')}\n`;
      const store = await openStore(loc);
      await store.createRange({ resolved: resolveRange(loadRawRange(source)), source, kind: 'range', status: 'running' });
      await store.close();
      // Even hosts in one process, odd in the other, so their transactions interleave on one network.
      const ws = [
        worker(
          loc,
          'b',
          hosts.filter((_, i) => i % 2 === 0),
        ),
        worker(
          loc,
          'b',
          hosts.filter((_, i) => i % 2 === 1),
        ),
      ];
      await Promise.all(ws.map((w) => w.ready));
      const t0 = performance.now();
      for (const w of ws) w.go();
      const [x, y] = await Promise.all(ws.map((w) => w.done));
      console.log(`leases (${mode}): 100 NICs from 2 processes in ${Math.round(performance.now() - t0)} ms`);
      const ips = [...(x ?? []), ...(y ?? [])];
      // The two really ran at once: neither got a block of addresses wholly above the other's.
      const last = (l: readonly string[] = []) => Math.max(...l.map((ip) => Number(ip.split('.')[3])));
      const firstOf = (l: readonly string[] = []) => Math.min(...l.map((ip) => Number(ip.split('.')[3])));
      expect(firstOf(x)).toBeLessThan(last(y));
      expect(firstOf(y)).toBeLessThan(last(x));
      expect(ips).toHaveLength(100);
      expect(new Set(ips).size).toBe(100);
      // The lowest 100 auto addresses of 10.2.0.0/24: .10 to .109, none skipped, none twice.
      expect(ips.map((ip) => Number(ip.split('.')[3])).sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => 10 + i));
      const check = await openStore(loc);
      const rows = (await check.listInterfaces('lease')).filter((r) => r.network === 'b');
      expect(rows).toHaveLength(100);
      expect(new Set(rows.map((r) => r.ip_address)).size).toBe(100);
      const stored = (await check.getRange('lease'))?.resolved.hosts.flatMap((h) =>
        h.interfaces.filter((n) => n.network === 'b').map((n) => n.ip),
      );
      expect(new Set(stored)).toEqual(new Set(ips));
      await check.close();
    },
    60_000,
  );
});
