import type { Command } from 'commander';
import { hostBridgeNetplan, planBridgeSetup, removeHostBridge, setupHostBridge } from '../../engine/index.js';

/** `host-bridge setup|teardown`: put a physical NIC under a bridge so range networks can join the LAN. */
export function registerHostBridgeCommands(program: Command): void {
  const hb = program.command('host-bridge').description('prepare a host bridge holding a physical NIC, for networks with egress: bridge');
  hb.command('setup')
    .description(
      "move IFACE's addresses and routes onto a new BRIDGE that holds IFACE; rolls back by itself if the gateway stops answering",
    )
    .argument('<bridge>')
    .argument('<iface>')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--netplan', 'also print a netplan file that keeps the bridge after a reboot')
    .option('--netns <name>', 'work in this network namespace instead of the root one (tests)')
    .action(async (bridge: string, iface: string, o: { dryRun?: boolean; netplan?: boolean; netns?: string }) => {
      const netns = o.netns ?? null;
      if (o.dryRun) {
        const plan = await planBridgeSetup(netns, bridge, iface);
        process.stdout.write(`${plan.apply.map((l) => `ip ${netns ? `-n ${netns} ` : ''}${l.join(' ')}`).join('\n')}\n`);
        process.stdout.write(
          plan.gateway ? `then check that ${plan.gateway} still answers, else undo\n` : 'no default gateway on it: nothing to check\n',
        );
        if (o.netplan) process.stdout.write(`\n${hostBridgeNetplan(bridge, iface, plan.addresses, plan.gateway)}`);
        return;
      }
      const { plan, checked } = await setupHostBridge(netns, bridge, iface);
      process.stdout.write(
        `${iface} is now under ${bridge} with ${plan.addresses.join(', ') || 'no address'}${checked ? `; gateway ${plan.gateway} answers` : ''}\n`,
      );
      if (o.netplan) process.stdout.write(`\n${hostBridgeNetplan(bridge, iface, plan.addresses, plan.gateway)}`);
    });
  hb.command('teardown')
    .description('move the addresses back to IFACE and remove BRIDGE')
    .argument('<bridge>')
    .argument('<iface>')
    .option('--netns <name>', 'work in this network namespace instead of the root one (tests)')
    .action(async (bridge: string, iface: string, o: { netns?: string }) => {
      await removeHostBridge(o.netns ?? null, bridge, iface);
      process.stdout.write(`${bridge} removed; ${iface} has its addresses back\n`);
    });
}
