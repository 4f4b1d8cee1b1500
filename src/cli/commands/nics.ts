import type { Command } from 'commander';

const actions = () => import('../actions/nics.js');

/** `nic add` and `nic rm`: change the NICs of a running host; the store follows in the same operation. */
export function registerNicCommands(program: Command): void {
  const nic = program.command('nic').description('add or remove network interfaces of a deployed host');
  nic
    .command('add')
    .description('attach the host to one more network of its range (auto IP unless --ip)')
    .argument('<instance>')
    .argument('<host>')
    .argument('<network>')
    .option('--ip <ip>', 'static address in that network')
    .option('--json', 'print the new interface as JSON')
    .action(async (instance: string, host: string, network: string, o: { ip?: string; json?: boolean }) =>
      (await actions()).nicAdd(instance, host, network, o),
    );
  nic
    .command('rm')
    .description('detach the host from a network (the primary interface cannot be removed)')
    .argument('<instance>')
    .argument('<host>')
    .argument('<network>')
    .action(async (instance: string, host: string, network: string) => (await actions()).nicRm(instance, host, network));
}
