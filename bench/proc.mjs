// /proc and /sys readings the benchmarks share: memory, CPU time, processes in namespaces.
import { readFileSync, readdirSync, readlinkSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (t) => new Promise((r) => setTimeout(r, t));

export function meminfo() {
  return Object.fromEntries(
    readFileSync('/proc/meminfo', 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [k, v] = l.split(':');
        return [k, Number.parseInt(v, 10)];
      }),
  );
}

/** VmRSS and RssAnon (KiB) summed over every process whose network namespace is one of `names`. */
export function processesIn(names) {
  const inodes = new Set();
  for (const n of names)
    try {
      inodes.add(statSync(`/run/netns/${n}`).ino);
    } catch {}
  let rss = 0;
  let anon = 0;
  let count = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
      if (!m || !inodes.has(Number(m[1]))) continue;
      const st = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0);
      anon += Number(/RssAnon:\s+(\d+)/.exec(st)?.[1] ?? 0);
      count++;
    } catch {}
  }
  return { rss, anon, count };
}

/** Unreclaimable kernel memory (KiB): slab, per-cpu, kernel stacks, page tables. */
export function kernelKiB() {
  const m = meminfo();
  return m.SUnreclaim + (m.Percpu ?? 0) + m.KernelStack + m.PageTables;
}

/** MemAvailable (KiB) once it stops moving (two reads 200 ms apart within 2 MiB, at most ~3 s). */
export async function steadyMemAvailable() {
  let prev = meminfo().MemAvailable;
  for (let i = 0; i < 15; i++) {
    await sleep(200);
    const cur = meminfo().MemAvailable;
    if (Math.abs(cur - prev) < 2048) return cur;
    prev = cur;
  }
  return prev;
}

export function rmdirTree(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) rmdirTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {}
}

/** CPU time (ms) of this process and of the children it waited for (ip, mount, runc, the CLI and theirs). */
export function cpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * (1000 / 100);
}
