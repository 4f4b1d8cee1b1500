import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { procStartTime } from '../sys/index.js';
import { CyrangeError } from '../model/index.js';
import { acquireLock, liveLock, withLock } from './lock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let runDir: string;
beforeEach(() => {
  runDir = join(mkdtempSync(join(tmpdir(), 'cyrange-lock-')), 'inst');
});
afterEach(() => rmSync(join(runDir, '..'), { recursive: true, force: true }));

/** A live process that is not us, to hold a lock or a ticket; killed by the returned function. */
function otherProcess(): { pid: number; start: string; kill: () => void } {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = child.pid as number;
  return { pid, start: procStartTime(pid) ?? '', kill: () => child.kill('SIGKILL') };
}

describe('withLock: one holder at a time, in arrival order', () => {
  it.each([
    [2, 5],
    [20, 0],
    [50, 1],
  ])('%i concurrent waiters (work %i ms each) never overlap, all finish, first come first served', async (n, workMs) => {
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      jobs.push(
        withLock(runDir, `op${i}`, async () => {
          inside++;
          most = Math.max(most, inside);
          order.push(i);
          await sleep(workMs);
          inside--;
        }),
      );
      // Distinct arrival times: tickets are ordered by when they were taken.
      await sleep(2);
    }
    await Promise.all(jobs);
    expect(most).toBe(1);
    expect(order).toEqual([...Array(n).keys()]);
    // Nothing is left behind: no lock, no ticket.
    expect(existsSync(join(runDir, 'op.lock'))).toBe(false);
    expect(existsSync(join(runDir, 'op.queue'))).toBe(false);
  });

  it('releases the lock when the work throws, and rethrows', async () => {
    await expect(withLock(runDir, 'x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(liveLock(runDir)).toBeNull();
    await expect(withLock(runDir, 'y', async () => 42)).resolves.toBe(42);
  });
});

describe('a dead holder or waiter does not block anyone', () => {
  it.each<[string, (pid: number) => string]>([
    ['a lock of a process that has exited', (pid) => JSON.stringify({ pid, start: 'gone', op: 'deploy' })],
    ['a lock file that is not JSON', () => '{"pid": 12'],
  ])('%s is taken over at once', async (_what, content) => {
    withLockDir();
    writeFileSync(join(runDir, 'op.lock'), content(process.pid));
    const t0 = performance.now();
    await withLock(runDir, 'nic add', async () => {
      expect(liveLock(runDir)?.op).toBe('nic add');
    });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('skips the ticket of a waiter that died', async () => {
    withLockDir();
    const q = join(runDir, 'op.queue');
    // A ticket older than ours, of our pid with another start time: a process that is gone.
    mkdirSync(q, { recursive: true });
    writeFileSync(join(q, `${'1'.padStart(15, '0')}-${process.pid}-1-abcdef`), '');
    await withLock(runDir, 'limit', async () => {});
    expect(existsSync(q)).toBe(false);
  });
});

describe('a live holder that does not move', () => {
  it('acquireLock fails at once naming it; its lock is left alone', () => {
    const other = otherProcess();
    try {
      withLockDir();
      const lock = JSON.stringify({ pid: other.pid, start: other.start, op: 'deploy' });
      writeFileSync(join(runDir, 'op.lock'), lock);
      expect(() => acquireLock(runDir, 'destroy')).toThrow(`another deploy (pid ${other.pid}) is working on instance "inst"`);
      expect(readFileSync(join(runDir, 'op.lock'), 'utf8')).toBe(lock);
    } finally {
      other.kill();
    }
  });

  it('withLock gives up after waitMs without progress, with a CYR_CONFLICT naming the operation, the instance and the holder', async () => {
    const other = otherProcess();
    try {
      withLockDir();
      writeFileSync(join(runDir, 'op.lock'), JSON.stringify({ pid: other.pid, start: other.start, op: 'deploy' }));
      const err = await withLock(runDir, 'nic add', async () => 'ran', 300).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CyrangeError);
      expect((err as CyrangeError).code).toBe('CYR_CONFLICT');
      expect((err as CyrangeError).message).toBe(`nic add: instance "inst" stayed locked by deploy (pid ${other.pid}) for 300 ms`);
      expect(readdirSync(runDir)).toEqual(['op.lock']);
    } finally {
      other.kill();
    }
  });

  it('a waiter keeps waiting while the line moves, longer than waitMs in all', async () => {
    // Three holders of 150 ms each before us, with waitMs 250: 450 ms in all, but never 250 ms still.
    const held = [0, 1, 2].map(() => withLock(runDir, 'slow', () => sleep(150), 250));
    await sleep(5);
    await expect(withLock(runDir, 'nic add', async () => 'ran', 250)).resolves.toBe('ran');
    await Promise.all(held);
  });
});

/** The run directory, as it exists once an instance has been worked on. */
function withLockDir(): void {
  mkdirSync(runDir, { recursive: true });
}
