import {
  type HostNs,
  applyHostRateLimits,
  applyRateLimit,
  clearRateLimit,
  configureHost,
  observeManyHostNics,
  startDhcpClients,
  stopDhcpClients,
  unwireNic,
  wireHosts,
} from '../../dataplane/index.js';
import { type ResolvedHost, hostNetns } from '../../model/index.js';
import { removeNetns } from '../../sys/index.js';
import type { NicAttachment } from './attachment.js';

/** Removes the range ends of a host's veths: the old ones die with their namespace, but not at once. */
async function unwireAll(instance: string, host: ResolvedHost): Promise<void> {
  for (const nic of host.interfaces) await unwireNic(instance, nic.peer).catch(() => {});
}

/**
 * veth pairs from the range bridges into the host's own namespace; the host side sets addresses
 * and routes, and runs a DHCP client per NIC in dhcp mode. Used by `netns` and `docker` hosts.
 */
export const vethNics: NicAttachment = {
  wire: (range, hosts) => wireHosts(range, hosts),

  async rewire(range, h, fresh) {
    if (!fresh) return;
    await unwireAll(range.instance, h.host);
    await wireHosts(range, [h]);
  },

  async configure(rctx, h) {
    await configureHost(rctx.instance, h);
    // A re-wired NIC is a new link without its qdiscs.
    await applyHostRateLimits(rctx.instance, h.host);
  },

  startClients(rctx, h) {
    startDhcpClients(rctx.runDir, h);
  },

  async plug(rctx, range, host, nic) {
    const netns = hostNetns(range.instance, host.name);
    const only: HostNs = { host: { ...host, interfaces: [nic] }, netns };
    await wireHosts(range, [only]);
    await configureHost(range.instance, { host, netns });
    if (nic.rateLimit) await applyRateLimit(range.instance, host.name, nic);
    startDhcpClients(rctx.runDir, only);
  },

  async unplug(rctx, host, nic) {
    await stopDhcpClients(rctx.runDir, host, nic.ifname);
    // Deleting the range end deletes both ends.
    await unwireNic(rctx.instance, nic.peer).catch(() => {});
    await clearRateLimit(rctx.instance, host.name, nic).catch(() => {});
  },

  async detach(rctx, host) {
    await unwireAll(rctx.instance, host);
    await removeNetns([hostNetns(rctx.instance, host.name)]);
  },

  async observe(rctx, hosts) {
    const live = hosts.filter((h) => h.state !== 'missing').map((h) => h.host.name);
    const byNs = await observeManyHostNics(live.map((name) => hostNetns(rctx.instance, name)));
    return new Map(live.map((name) => [name, byNs.get(hostNetns(rctx.instance, name)) ?? []]));
  },
};
