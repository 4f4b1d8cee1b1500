import { readdirSync, statSync } from 'node:fs';
import { NETNS_PREFIX } from '../model/index.js';
import { type Argv, run } from './exec.js';
import { toBatch } from './ip-batch.js';
import { pidsInNetns, terminate } from './procs.js';

/** Where iproute2 keeps named network namespaces. */
export const NETNS_DIR = '/run/netns';

/** Path of a named network namespace. */
export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** Argv that runs `argv` inside a named namespace (network only; the filesystem stays shared). */
export function inNetns(name: string, argv: Argv): Argv {
  return ['nsenter', `--net=${netnsPath(name)}`, '--', ...argv];
}

/** Names of every namespace Cyrange made (by name prefix), sorted. */
export function listOwnedNetns(): string[] {
  let names: string[];
  try {
    names = readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(NETNS_PREFIX)).sort();
}

/** Whether a named namespace exists. */
export function netnsExists(name: string): boolean {
  try {
    statSync(netnsPath(name));
    return true;
  } catch {
    return false;
  }
}

/** Inode that identifies a namespace, to match against `/proc/PID/ns/net`; null when gone. */
export function netnsInode(name: string): number | null {
  try {
    return statSync(netnsPath(name)).ino;
  } catch {
    return null;
  }
}

/** Creates the namespaces that do not exist yet, in one `ip -batch`. */
export async function ensureNetns(names: readonly string[]): Promise<void> {
  const missing = names.filter((n) => !netnsExists(n));
  if (missing.length === 0) return;
  await run(['ip', '-batch', '-'], { input: toBatch(missing.map((n) => ['netns', 'add', n])) });
}

/** Deletes the namespaces that exist, in one `ip -batch`; absent ones count as removed. */
export async function removeNetns(names: readonly string[]): Promise<void> {
  const present = names.filter(netnsExists);
  if (present.length === 0) return;
  await run(['ip', '-force', '-batch', '-'], { input: toBatch(present.map((n) => ['netns', 'del', n])), allowFailure: true });
  const left = present.filter(netnsExists);
  // A namespace still mounted after -force means one delete really failed: retry those one by one for the error.
  for (const n of left) await run(['ip', 'netns', 'del', n]);
}

/** Ends every process whose network namespace is one of the named ones (TERM, then KILL). */
export async function killNetnsProcesses(names: readonly string[]): Promise<void> {
  const inodes = new Set(names.map(netnsInode).filter((i): i is number => i !== null));
  await terminate(pidsInNetns(inodes));
}
