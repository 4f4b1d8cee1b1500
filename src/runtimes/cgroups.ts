import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedResources } from '../model/index.js';

/** Where cgroup hierarchies are mounted. */
const CGROUP_ROOT = '/sys/fs/cgroup';
/** Every range's cgroup sits under this one, in each hierarchy: `/cyrange/<instance>`. */
const TOP = 'cyrange';
const CPU_PERIOD_US = 100_000;

/** cgroup path (from a hierarchy's root) of a range: the parent of its sandboxes, containers and VMs. */
export function rangeCgroup(instance: string): string {
  return `/${TOP}/${instance}`;
}

/** cgroup path of one host of a range. */
export function hostCgroup(instance: string, host: string): string {
  return `${rangeCgroup(instance)}/${host}`;
}

/** Whether the machine runs cgroup v2 only (one hierarchy at the root). */
function unifiedOnly(): boolean {
  return existsSync(join(CGROUP_ROOT, 'cgroup.controllers'));
}

/** Directories of a cgroup path in each hierarchy that has the controller (v1), or the one v2 directory. */
function dirsOf(path: string, controller: string): string[] {
  if (unifiedOnly()) return [join(CGROUP_ROOT, path)];
  const d = join(CGROUP_ROOT, controller);
  return existsSync(d) ? [join(d, path)] : [];
}

function write(file: string, value: string): void {
  writeFileSync(file, value);
}

/**
 * Makes the range's cgroup and, when the range has a cap, sets it: memory and CPU over all of its
 * hosts together, so one range cannot starve the others.
 */
export function ensureRangeCgroup(instance: string, cap: ResolvedResources | undefined): void {
  const path = rangeCgroup(instance);
  if (unifiedOnly()) {
    const d = join(CGROUP_ROOT, path);
    mkdirSync(d, { recursive: true });
    for (const p of [join(CGROUP_ROOT, TOP), d]) write(join(p, '..', 'cgroup.subtree_control'), '+memory +cpu +pids');
    if (cap?.memoryBytes) write(join(d, 'memory.max'), String(cap.memoryBytes));
    if (cap?.cpus) write(join(d, 'cpu.max'), `${Math.round(cap.cpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}`);
    return;
  }
  for (const c of ['memory', 'cpu', 'pids']) for (const d of dirsOf(path, c)) mkdirSync(d, { recursive: true });
  if (cap?.memoryBytes) for (const d of dirsOf(path, 'memory')) write(join(d, 'memory.limit_in_bytes'), String(cap.memoryBytes));
  if (cap?.cpus)
    for (const d of dirsOf(path, 'cpu')) {
      write(join(d, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
      write(join(d, 'cpu.cfs_quota_us'), String(Math.round(cap.cpus * CPU_PERIOD_US)));
    }
}

/** Moves a process (a VM) into a host's cgroup under its range, in every hierarchy that limits it. */
export function joinHostCgroup(instance: string, host: string, pid: number): void {
  const path = hostCgroup(instance, host);
  const dirs = unifiedOnly() ? [join(CGROUP_ROOT, path)] : ['memory', 'cpu', 'pids'].flatMap((c) => dirsOf(path, c));
  for (const d of dirs) {
    mkdirSync(d, { recursive: true });
    write(join(d, 'cgroup.procs'), String(pid));
  }
}

function removeTree(dir: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
  // cgroup directories are removed with rmdir alone, leaves first; a busy one stays (its tasks are still exiting).
  try {
    rmdirSync(dir);
  } catch {
    // still in use
  }
}

/** Removes a range's cgroups in every hierarchy; what is still in use is left for the next try. */
export function removeRangeCgroup(instance: string): void {
  const path = rangeCgroup(instance);
  if (unifiedOnly()) {
    removeTree(join(CGROUP_ROOT, path));
    return;
  }
  let hierarchies: string[];
  try {
    hierarchies = readdirSync(CGROUP_ROOT);
  } catch {
    return;
  }
  for (const h of hierarchies) removeTree(join(CGROUP_ROOT, h, path));
}

/** Instances that have a cgroup on this machine (for gc). */
export function cgroupOwners(): string[] {
  const out = new Set<string>();
  const roots = unifiedOnly() ? [join(CGROUP_ROOT, TOP)] : ['memory', 'cpu', 'pids'].map((c) => join(CGROUP_ROOT, c, TOP));
  for (const r of roots) {
    try {
      for (const e of readdirSync(r, { withFileTypes: true })) if (e.isDirectory()) out.add(e.name);
    } catch {
      // no range cgroup in this hierarchy
    }
  }
  return [...out];
}
