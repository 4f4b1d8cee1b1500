// Child process of migrations.test.ts: opens (creating and migrating) the store at LOCATION_JSON
// once told to go, then closes it. Usage: node --import ./register-ts.mjs open-worker.mjs LOCATION_JSON
import { once } from 'node:events';
import { openStore } from '../index.js';

process.stdout.write('ready\n');
await once(process.stdin, 'data');
const store = await openStore(JSON.parse(process.argv[2]));
await store.close();
process.stdout.write('opened\n');
