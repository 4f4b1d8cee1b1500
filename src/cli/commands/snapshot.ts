import type { Command } from 'commander';
import { openEngine } from '../context.js';
import { printJson } from '../output.js';

/** `snapshot create|ls|restore|rm`: consistent saved states of a running range. */
export function registerSnapshotCommands(program: Command): void {
  const snap = program
    .command('snapshot')
    .description("save and restore a range's state (every host's writes, taken while all are frozen)");
  snap
    .command('create')
    .argument('<instance>')
    .argument('<name>')
    .action(async (instance: string, name: string) => {
      const ctx = await openEngine({ progress: true });
      try {
        const t0 = performance.now();
        const s = await ctx.engine.createSnapshot(instance, name);
        process.stdout.write(`snapshot ${instance}:${s.name} of ${s.hosts.length} hosts in ${Math.round(performance.now() - t0)} ms\n`);
      } finally {
        await ctx.close();
      }
    });
  snap
    .command('ls')
    .argument('<instance>')
    .option('--json', 'print as JSON')
    .action(async (instance: string, o: { json?: boolean }) => {
      const ctx = await openEngine();
      try {
        const list = await ctx.engine.listSnapshots(instance);
        if (o.json) printJson(list);
        else for (const s of list) process.stdout.write(`${s.name}\t${s.createdAt}\t${s.hosts.length} hosts\n`);
      } finally {
        await ctx.close();
      }
    });
  snap
    .command('restore')
    .argument('<instance>')
    .argument('<name>')
    .action(async (instance: string, name: string) => {
      const ctx = await openEngine({ progress: true });
      try {
        const s = await ctx.engine.restoreSnapshot(instance, name);
        process.stdout.write(`restored ${instance} to ${s.name} (${s.hosts.length} hosts)\n`);
      } finally {
        await ctx.close();
      }
    });
  snap
    .command('rm')
    .argument('<instance>')
    .argument('<name>')
    .action(async (instance: string, name: string) => {
      const ctx = await openEngine();
      try {
        await ctx.engine.removeSnapshot(instance, name);
        process.stdout.write(`removed snapshot ${instance}:${name}\n`);
      } finally {
        await ctx.close();
      }
    });
}
