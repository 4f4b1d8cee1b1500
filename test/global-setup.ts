import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type PgCluster, startCluster } from './pg-cluster.js';

/** This run's id: test names start with `zt<run>`, so concurrent runs never judge each other's objects. */
const RUN = randomBytes(1).toString('hex');

let cluster: PgCluster | null = null;

/**
 * `CYRANGE_TEST_DB=postgres`: the run gets a throwaway PostgreSQL cluster with database
 * `cyrange_test` (CYRANGE_TEST_PG_URL). The store suite makes one schema per store in it, and each
 * test file's CLI processes and servers share one schema of their own (test/store-setup.ts).
 */
export function setup(): void {
  process.env.CYRANGE_TEST_RUN = RUN;
  if (process.env.CYRANGE_TEST_DB !== 'postgres' || process.env.CYRANGE_TEST_PG_URL) return;
  cluster = startCluster();
  cluster.createDatabase('cyrange_test');
  process.env.CYRANGE_TEST_PG_URL = cluster.urlFor('cyrange_test');
}

function stopCluster(): void {
  cluster?.stop();
  cluster = null;
}

function leftovers(): string[] {
  const mine = new RegExp(`^(cyr_)?zt${RUN}`);
  try {
    return readdirSync('/run/netns').filter((n) => mine.test(n));
  } catch {
    return [];
  }
}

/** Guest processes (QEMU) whose ownership tag names one of this run's ranges. */
function leftoverVms(): number[] {
  const tag = `guest=cyrange:zt${RUN}`;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(tag);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Sandboxes runc still knows under Cyrange's root whose ids name one of this run's ranges. */
function leftoverSandboxes(): string[] {
  try {
    const out = execFileSync('runc', ['--root', '/run/cyrange/runc', 'list', '-q']).toString();
    return out.split('\n').filter((id) => id.startsWith(`cyr_zt${RUN}`));
  } catch {
    return [];
  }
}

/** Sandbox root filesystems (overlays tagged `cyrange:<instance>:<host>`) of this run's ranges. */
function leftoverMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(` - overlay cyrange:zt${RUN}`))
    .map((l) => l.split(' ')[4] ?? '');
}

/** After the whole suite: nothing a test tagged may be left on the machine. */
export async function teardown(): Promise<void> {
  stopCluster();
  const sandboxes = leftoverSandboxes();
  for (const id of sandboxes) {
    try {
      execFileSync('runc', ['--root', '/run/cyrange/runc', 'delete', '--force', id]);
    } catch {}
  }
  const mounts = leftoverMounts();
  for (const m of mounts) {
    try {
      execFileSync('umount', ['--lazy', m]);
    } catch {}
  }
  const vms = leftoverVms();
  for (const pid of vms) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  const left = leftovers();
  if (left.length === 0 && vms.length === 0 && sandboxes.length === 0 && mounts.length === 0) return;
  // Clean up for the next run, then fail the suite: a leftover means a cleanup has a hole.
  for (const n of left) {
    try {
      execFileSync('ip', ['netns', 'pids', n])
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((p) => {
          try {
            process.kill(Number(p), 'SIGKILL');
          } catch {}
        });
      execFileSync('ip', ['netns', 'del', n]);
    } catch {}
  }
  throw new Error(
    `test leftovers on the machine: namespaces [${left.join(', ')}], VM processes [${vms.join(', ')}], sandboxes [${sandboxes.join(', ')}], mounts [${mounts.join(', ')}]`,
  );
}
