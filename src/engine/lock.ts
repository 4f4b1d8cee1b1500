import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, procStartTime } from '../dataplane/index.js';
import { CyrangeError } from '../model/index.js';

/** Who is working on an instance right now; kept as a file so gc can tell a live deploy from a crashed one. */
export interface OpLock {
  readonly pid: number;
  readonly start: string;
  readonly op: string;
}

function lockPath(runDir: string): string {
  return join(runDir, 'op.lock');
}

/** Reads an instance's operation lock; null when none is held by a live process. */
export function liveLock(runDir: string): OpLock | null {
  try {
    const l = JSON.parse(readFileSync(lockPath(runDir), 'utf8')) as OpLock;
    return isAlive(l) ? l : null;
  } catch {
    return null;
  }
}

/** Takes the instance's lock for this process, or fails naming the live holder. A dead holder's lock is taken over. */
export function acquireLock(runDir: string, op: string): () => void {
  mkdirSync(runDir, { recursive: true });
  const me: OpLock = { pid: process.pid, start: procStartTime(process.pid) ?? '', op };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath(runDir), JSON.stringify(me), { flag: 'wx' });
      return () => rmSync(lockPath(runDir), { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = liveLock(runDir);
      if (holder) throw new CyrangeError('CYR_CONFLICT', `another ${holder.op} (pid ${holder.pid}) is working on this instance`);
      rmSync(lockPath(runDir), { force: true });
    }
  }
  throw new CyrangeError('CYR_CONFLICT', 'could not take the instance lock');
}

/** Runs `fn` holding the instance's lock, waiting up to `waitMs` for another holder to finish. */
export async function withLock<T>(runDir: string, op: string, fn: () => Promise<T>, waitMs = 30_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  let release: () => void;
  for (;;) {
    try {
      release = acquireLock(runDir, op);
      break;
    } catch (e) {
      if (!(e instanceof CyrangeError) || e.code !== 'CYR_CONFLICT' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    release();
  }
}
