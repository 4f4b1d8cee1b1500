// Child process of leases-concurrency.test.ts: opens its own connection to the store and, once
// told to go, adds one NIC on NETWORK to each named host, letting the store pick the address.
// Usage: node --import ./register-ts.mjs lease-worker.mjs STATE_DIR INSTANCE NETWORK HOST...
// Prints "ready" when open, waits for a line on stdin, then prints the addresses as JSON. It pauses
// 1-4 ms between NICs, so the two processes' transactions interleave instead of one taking the
// write lock for its whole batch while the other sleeps in SQLite's busy handler.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../index.js';

const [dir, instance, network, ...hosts] = process.argv.slice(2);
const store = openStore({ stateDir: dir });
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const ips = [];
for (const host of hosts) {
  ips.push(store.addInterface(instance, host, network).ip);
  await sleep(1 + Math.random() * 3);
}
store.close();
process.stdout.write(`${JSON.stringify(ips)}\n`);
