import type { Command } from 'commander';

const actions = () => import('../actions/ranges.js');

/** Range lifecycle commands: deploy, ls, inspect, destroy, reconcile, gc. */
export function registerRangeCommands(program: Command): void {
  program
    .command('deploy')
    .description(
      'deploy a blueprint as a range instance; on a deployed instance apply exactly what changed (`plan` lists it), in place (deploying again repairs or changes nothing)',
    )
    .argument('<file>', 'blueprint (YAML or JSON)')
    .option('--name <instance>', 'instance name (default: the blueprint name)')
    .option(
      '--replace',
      'also apply what cannot change in place: recreate a host whose runtime changes, rebuild the range for a network change',
    )
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { name?: string; json?: boolean; replace?: boolean }) => (await actions()).deploy(file, o));

  program
    .command('ls')
    .description('list range instances')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => (await actions()).ls(o));

  program
    .command('inspect')
    .description('show an instance: hosts, state, and every interface with network, IP, MAC and link state')
    .argument('<instance>')
    .option('--json', 'print as JSON')
    .action(async (instance: string, o: { json?: boolean }) => (await actions()).inspect(instance, o));

  program
    .command('destroy')
    .description('remove an instance and everything it owns (destroying twice is fine)')
    .argument('<instance>')
    .option('--json', 'print the result as JSON')
    .action(async (instance: string, o: { json?: boolean }) => (await actions()).destroy(instance, o));

  program
    .command('reconcile')
    .description('bring instances back to their stored ranges without the blueprint file: same IPs, MACs, upper layers and disks')
    .argument('[instance]')
    .option('--all', 'every instance recorded as running that is not live, or left mid-operation by a dead process')
    .option('--json', 'print the result as JSON')
    .action(async (instance: string | undefined, o: { all?: boolean; json?: boolean }) => (await actions()).reconcile(instance, o));

  program
    .command('gc')
    .description('remove leftovers of instances that are gone or whose deploy crashed, found by ownership tags')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => (await actions()).gc(o));
}
