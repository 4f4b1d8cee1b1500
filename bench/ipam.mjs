// IPAM: allocating every address of a /16 one by one, then release-and-reallocate cycles.
// Run after `npx tsc -p .` (or `npm run build`): node bench/ipam.mjs
// Prints figures only; exits 1 when filling the /16 takes more than 1000 ms.
import { SubnetAllocator, formatIpv4, parseCidr, parseIpv4 } from '../dist/model/index.js';

const SUBNET = '10.0.0.0/16';
const LIMIT_MS = 1000;
const parsed = parseCidr(SUBNET);
if ('error' in parsed) throw new Error(parsed.error);
const { cidr } = parsed;
const gateway = parseIpv4('10.0.0.1');
// Every host address from the 10th up: 65,534 host addresses less .0.1-.0.9 (the gateway is .0.1).
const expected = cidr.size - 2 - 9;

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function fillAll() {
  const a = new SubnetAllocator(cidr, { gateway });
  const t0 = nowMs();
  let n = 0;
  let last = 0;
  try {
    for (;;) {
      last = a.allocate();
      n++;
    }
  } catch (e) {
    if (e.code !== 'CYR_IPAM_EXHAUSTED') throw e;
  }
  return { a, n, last, ms: nowMs() - t0 };
}

const cold = fillAll();
if (cold.n !== expected) {
  console.error(`ipam: expected ${expected} addresses, got ${cold.n}`);
  process.exit(1);
}
const perAddr = (r) => ((r.ms * 1e6) / r.n).toFixed(0);
console.log(`ipam: allocated ${cold.n} addresses of ${SUBNET} in ${cold.ms.toFixed(1)} ms (${perAddr(cold)} ns/address)`);
const warm = [fillAll(), fillAll(), fillAll()].reduce((x, y) => (y.ms < x.ms ? y : x));
console.log(`ipam: warm, best of 3: ${warm.ms.toFixed(1)} ms (${perAddr(warm)} ns/address); last address ${formatIpv4(warm.last)}`);

// Free one address in the middle of a full /16 and take it back: the lowest free one must come back.
const a = warm.a;
const mid = cidr.network + 30_000;
const cycles = 10_000;
const t0 = nowMs();
for (let i = 0; i < cycles; i++) {
  const addr = mid + (i % 100);
  a.release(addr);
  if (a.allocate() !== addr) {
    console.error(`ipam: released ${formatIpv4(addr)} but got another address back`);
    process.exit(1);
  }
}
const ms = nowMs() - t0;
console.log(
  `ipam: ${cycles} release-in-the-middle + reallocate cycles in a full ${SUBNET} in ${ms.toFixed(1)} ms (${((ms * 1e3) / cycles).toFixed(1)} µs/cycle)`,
);

if (cold.ms > LIMIT_MS) {
  console.error(`ipam: filling ${SUBNET} took ${cold.ms.toFixed(0)} ms, over ${LIMIT_MS} ms`);
  process.exitCode = 1;
}
