import { type HostBridgePlan, applyHostBridge, hostBridgeNetplan, planHostBridge, teardownHostBridge } from '../dataplane/index.js';

/** Plans putting IFACE under a new bridge with its addresses and routes (nothing is changed). */
export function planBridgeSetup(netns: string | null, bridge: string, iface: string): Promise<HostBridgePlan> {
  return planHostBridge(netns, bridge, iface);
}

/** Puts IFACE under BRIDGE, rolling back by itself if the gateway stops answering. */
export async function setupHostBridge(
  netns: string | null,
  bridge: string,
  iface: string,
): Promise<{ plan: HostBridgePlan; checked: boolean }> {
  const plan = await planHostBridge(netns, bridge, iface);
  const { checked } = await applyHostBridge(netns, plan);
  return { plan, checked };
}

/** Undoes `setupHostBridge`. */
export function removeHostBridge(netns: string | null, bridge: string, iface: string): Promise<void> {
  return teardownHostBridge(netns, bridge, iface);
}

export { hostBridgeNetplan };
