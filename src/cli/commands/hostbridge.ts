import type { Command } from 'commander';

const actions = () => import('../actions/hostbridge.js');

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
    .action(async (bridge: string, iface: string, o: { dryRun?: boolean; netplan?: boolean; netns?: string }) =>
      (await actions()).hostBridgeSetup(bridge, iface, o),
    );
  hb.command('teardown')
    .description('move the addresses back to IFACE and remove BRIDGE')
    .argument('<bridge>')
    .argument('<iface>')
    .option('--netns <name>', 'work in this network namespace instead of the root one (tests)')
    .action(async (bridge: string, iface: string, o: { netns?: string }) => (await actions()).hostBridgeTeardown(bridge, iface, o));
}
