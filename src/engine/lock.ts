import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isAlive, procStartTime, sleep } from '../sys/index.js';
import { CyrangeError } from '../model/index.js';

/** Who is working on an instance right now; kept as a file so gc can tell a live deploy from a crashed one. */
export interface OpLock {
  readonly pid: number;
  readonly start: string;
  readonly op: string;
}

/** How long a waiter waits while nothing moves (the same live holder, the same first in line). */
export const LOCK_WAIT_MS = 120_000;

function lockPath(runDir: string): string {
  return join(runDir, 'op.lock');
}

/** Waiters' tickets, one file each, served oldest first. */
function queueDir(runDir: string): string {
  return join(runDir, 'op.queue');
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function parseLock(raw: string | null): OpLock | null {
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as OpLock;
  } catch {
    return null;
  }
}

/** Reads an instance's operation lock; null when none is held by a live process. */
export function liveLock(runDir: string): OpLock | null {
  const l = parseLock(readRaw(lockPath(runDir)));
  return l && isAlive(l) ? l : null;
}

/**
 * Removes a dead holder's lock, but only the very file that was seen dead: two processes that both
 * saw it dead must not remove a lock the quicker one has taken meanwhile. A short-lived guard file
 * serializes the check and the removal; a guard left by a process that died is ignored after 5 s.
 */
function breakStaleLock(runDir: string, seen: string): void {
  const guard = join(runDir, 'op.lock.break');
  try {
    writeFileSync(guard, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(guard).mtimeMs > 5000) rmSync(guard, { force: true });
    } catch {
      // removed by its owner meanwhile
    }
    return;
  }
  try {
    if (readRaw(lockPath(runDir)) === seen) rmSync(lockPath(runDir), { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Takes the instance's lock for this process, or fails naming the live holder. A dead holder's lock is taken over. */
export function acquireLock(runDir: string, op: string): () => void {
  mkdirSync(runDir, { recursive: true });
  const mine = JSON.stringify({ pid: process.pid, start: procStartTime(process.pid) ?? '', op } satisfies OpLock);
  const path = lockPath(runDir);
  // Written whole, then linked into place: a reader never sees a half-written lock.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, mine);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(tmp, path);
        return () => {
          if (readRaw(path) === mine) rmSync(path, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const raw = readRaw(path);
        if (raw === null) continue;
        const holder = parseLock(raw);
        if (holder && isAlive(holder))
          throw new CyrangeError('CYR_CONFLICT', `another ${holder.op} (pid ${holder.pid}) is working on instance "${basename(runDir)}"`, {
            hint: 'try again when it has finished',
          });
        breakStaleLock(runDir, raw);
      }
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  throw new CyrangeError('CYR_CONFLICT', `could not take the lock of instance "${basename(runDir)}"`, { hint: 'try again' });
}

/** A waiter's place in line: a file named by when it came, its pid and its start time. */
interface Ticket {
  readonly dir: string;
  readonly name: string;
}

const TICKET = /^(\d+)-(\d+)-(\d+)-([0-9a-f]+)$/;

function enqueue(runDir: string): Ticket {
  const start = procStartTime(process.pid) ?? '0';
  const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${start}-${randomBytes(3).toString('hex')}`;
  const t = { dir: queueDir(runDir), name };
  placeTicket(t);
  return t;
}

function placeTicket(t: Ticket): void {
  mkdirSync(t.dir, { recursive: true });
  writeFileSync(join(t.dir, t.name), '');
}

function leave(t: Ticket): void {
  rmSync(join(t.dir, t.name), { force: true });
  try {
    rmdirSync(t.dir);
  } catch {
    // others are still waiting
  }
}

/**
 * The first live ticket in line, removing dead waiters' tickets ahead of ours on the way. Puts our
 * own ticket back in its place when it went (the run directory was removed by a destroy).
 */
function firstInLine(t: Ticket): string {
  let names: string[];
  try {
    names = readdirSync(t.dir).sort();
  } catch {
    names = [];
  }
  if (!names.includes(t.name)) {
    placeTicket(t);
    names = [...names, t.name].sort();
  }
  for (const n of names) {
    if (n === t.name) return n;
    const m = TICKET.exec(n);
    if (m && isAlive({ pid: Number(m[2]), start: m[3] as string })) return n;
    rmSync(join(t.dir, n), { force: true });
  }
  return t.name;
}

/**
 * Runs `fn` holding the instance's lock. Waiters across processes are served in the order they
 * came (a ticket each in `op.queue/`), so many concurrent edits of one range all get their turn.
 * A waiter gives up only when nothing moved for `waitMs`: the same live process held the lock and
 * the same waiter was first in line all along. A dead holder's lock is taken over at once.
 */
export async function withLock<T>(runDir: string, op: string, fn: () => Promise<T>, waitMs = LOCK_WAIT_MS): Promise<T> {
  const ticket = enqueue(runDir);
  let release: () => void;
  try {
    let seen = '';
    let since = Date.now();
    for (;;) {
      const first = firstInLine(ticket);
      if (first === ticket.name) {
        try {
          release = acquireLock(runDir, op);
          break;
        } catch (e) {
          if (!(e instanceof CyrangeError) || e.code !== 'CYR_CONFLICT') throw e;
        }
      }
      const holder = liveLock(runDir);
      const now = Date.now();
      const state = `${holder ? `${holder.pid}/${holder.start}/${holder.op}` : ''}|${first}`;
      if (state !== seen) {
        seen = state;
        since = now;
      } else if (now - since > waitMs) {
        const who = holder ? `${holder.op} (pid ${holder.pid})` : 'the waiter before it';
        throw new CyrangeError(
          'CYR_CONFLICT',
          `${op}: instance "${basename(runDir)}" stayed locked by ${who} for ${waitMs >= 1000 ? `${Math.round(waitMs / 1000)} s` : `${waitMs} ms`}`,
          { hint: 'try again when it has finished; `cyrange ls` shows the operation in progress' },
        );
      }
      // First in line looks often (the lock is its next); the others only watch the line move, with
      // jitter so that they do not poll in step. An aborted operation stops waiting.
      await sleep(first === ticket.name ? 5 + Math.random() * 10 : 50 + Math.random() * 100);
    }
  } finally {
    leave(ticket);
  }
  try {
    return await fn();
  } finally {
    release();
  }
}
