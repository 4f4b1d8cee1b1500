import { hostBridgeNetplan, planBridgeSetup, removeHostBridge, setupHostBridge } from '../../engine/index.js';

/** `host-bridge setup BRIDGE IFACE`: the plan only with --dry-run. */
export async function hostBridgeSetup(
  bridge: string,
  iface: string,
  o: { dryRun?: boolean; netplan?: boolean; netns?: string },
): Promise<void> {
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
}

/** `host-bridge teardown BRIDGE IFACE`. */
export async function hostBridgeTeardown(bridge: string, iface: string, o: { netns?: string }): Promise<void> {
  await removeHostBridge(o.netns ?? null, bridge, iface);
  process.stdout.write(`${bridge} removed; ${iface} has its addresses back\n`);
}
