import type { Command } from 'commander';

const actions = () => import('../actions/blueprint.js');
const validateAction = () => import('../actions/validate.js');

/** `validate` and `plan`: pure commands that read a blueprint and touch nothing. */
export function registerBlueprintCommands(program: Command): void {
  program
    .command('validate')
    .description('check a blueprint; exit 0 when valid, 2 with one line per problem otherwise')
    .argument('<file>', 'blueprint (YAML or JSON)')
    .option('--as <role>', 'check admission as this API role would get it (admin, instructor, student)')
    .action(async (file: string, o: { as?: string }) => (await validateAction()).validate(file, o));

  program
    .command('plan')
    .description(
      'show what a deploy would do: for a new instance the networks, hosts, addresses, MACs and interface names; for a deployed one the changes',
    )
    .argument('<file>', 'blueprint (YAML or JSON)')
    .option('--name <instance>', 'instance name (default: the blueprint name)')
    .option('--json', 'print the resolved range as JSON (for a deployed instance with `changes`, `lines` and `needs_replace`)')
    .option('--as <role>', 'check admission as this API role would get it (admin, instructor, student)')
    .action(async (file: string, o: { name?: string; json?: boolean; as?: string }) => (await actions()).plan(file, o));
}
