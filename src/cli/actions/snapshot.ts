import { openEngine } from '../context.js';
import { printJson } from '../output.js';

/** `snapshot create INSTANCE NAME`. */
export async function snapshotCreate(instance: string, name: string): Promise<void> {
  const ctx = await openEngine({ progress: true });
  try {
    const t0 = performance.now();
    const s = await ctx.engine.createSnapshot(instance, name);
    process.stdout.write(`snapshot ${instance}:${s.name} of ${s.hosts.length} hosts in ${Math.round(performance.now() - t0)} ms\n`);
  } finally {
    await ctx.close();
  }
}

/** `snapshot ls INSTANCE`. */
export async function snapshotLs(instance: string, o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine();
  try {
    const list = await ctx.engine.listSnapshots(instance);
    if (o.json) printJson(list);
    else for (const s of list) process.stdout.write(`${s.name}\t${s.createdAt}\t${s.hosts.length} hosts\n`);
  } finally {
    await ctx.close();
  }
}

/** `snapshot restore INSTANCE NAME`. */
export async function snapshotRestore(instance: string, name: string): Promise<void> {
  const ctx = await openEngine({ progress: true });
  try {
    const s = await ctx.engine.restoreSnapshot(instance, name);
    process.stdout.write(`restored ${instance} to ${s.name} (${s.hosts.length} hosts)\n`);
  } finally {
    await ctx.close();
  }
}

/** `snapshot rm INSTANCE NAME`. */
export async function snapshotRm(instance: string, name: string): Promise<void> {
  const ctx = await openEngine();
  try {
    await ctx.engine.removeSnapshot(instance, name);
    process.stdout.write(`removed snapshot ${instance}:${name}\n`);
  } finally {
    await ctx.close();
  }
}
