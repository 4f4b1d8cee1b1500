import type { Command } from 'commander';

const actions = () => import('../actions/snapshot.js');

/** `snapshot create|ls|restore|rm`: consistent saved states of a running range. */
export function registerSnapshotCommands(program: Command): void {
  const snap = program
    .command('snapshot')
    .description("save and restore a range's state (every host's writes, taken while all are frozen)");
  snap
    .command('create')
    .argument('<instance>')
    .argument('<name>')
    .action(async (instance: string, name: string) => (await actions()).snapshotCreate(instance, name));
  snap
    .command('ls')
    .argument('<instance>')
    .option('--json', 'print as JSON')
    .action(async (instance: string, o: { json?: boolean }) => (await actions()).snapshotLs(instance, o));
  snap
    .command('restore')
    .argument('<instance>')
    .argument('<name>')
    .action(async (instance: string, name: string) => (await actions()).snapshotRestore(instance, name));
  snap
    .command('rm')
    .argument('<instance>')
    .argument('<name>')
    .action(async (instance: string, name: string) => (await actions()).snapshotRm(instance, name));
}
