// Child process of leases-concurrency.test.ts: opens its own connection to the store and, once
// told to go, adds one NIC on NETWORK to each named host, letting the store pick the address.
// Usage: node --import ./register-ts.mjs lease-worker.mjs LOCATION_JSON INSTANCE NETWORK HOST...
// LOCATION_JSON is openStore's location ({"stateDir": …} for SQLite, {"url": …, "locking": …} for
// PostgreSQL). Prints "ready" when open, waits for a line on stdin, then prints the addresses as
// JSON. It pauses 1-4 ms between NICs, so the two processes' transactions interleave instead of one
// taking the write lock for its whole batch while the other waits.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../index.js';

const [loc, instance, network, ...hosts] = process.argv.slice(2);
const store = await openStore(JSON.parse(loc));
process.stdout.write('ready\n');
await once(process.stdin, 'data');
const ips = [];
for (const host of hosts) {
  ips.push((await store.addInterface(instance, host, network)).ip);
  await sleep(1 + Math.random() * 3);
}
await store.close();
process.stdout.write(`${JSON.stringify(ips)}\n`);
