import type { Command } from 'commander';
import { openEngine } from '../context.js';
import { printJson } from '../output.js';

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
    .action(async (instance: string, host: string, network: string, o: { ip?: string; json?: boolean }) => {
      const ctx = await openEngine({ progress: !o.json });
      try {
        const n = await ctx.engine.addNic(instance, host, network, o.ip ?? null);
        await ctx.close();
        if (o.json) printJson(n);
        else process.stdout.write(`${instance}/${host}: ${n.ifname} on ${network} ${n.ip ?? '(dhcp)'} ${n.mac}\n`);
      } finally {
        await ctx.close();
      }
    });
  nic
    .command('rm')
    .description('detach the host from a network (the primary interface cannot be removed)')
    .argument('<instance>')
    .argument('<host>')
    .argument('<network>')
    .action(async (instance: string, host: string, network: string) => {
      const ctx = await openEngine({ progress: true });
      try {
        const n = await ctx.engine.removeNic(instance, host, network);
        await ctx.close();
        process.stdout.write(`${instance}/${host}: removed ${n.ifname} (${network})\n`);
      } finally {
        await ctx.close();
      }
    });
}
