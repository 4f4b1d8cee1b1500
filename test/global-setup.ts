import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** This run's id: test names start with `zt<run>`, so concurrent runs never judge each other's objects. */
const RUN = randomBytes(1).toString('hex');

export function setup(): void {
  process.env.CYRANGE_TEST_RUN = RUN;
}

function leftovers(): string[] {
  const mine = new RegExp(`^(cyr_)?zt${RUN}`);
  try {
    return readdirSync('/run/netns').filter((n) => mine.test(n));
  } catch {
    return [];
  }
}

/** After the whole suite: nothing a test tagged may be left on the machine. */
export async function teardown(): Promise<void> {
  const left = leftovers();
  if (left.length === 0) return;
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
  throw new Error(`test leftovers on the machine: namespaces ${left.join(', ')}`);
}
