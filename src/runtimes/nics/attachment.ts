import type { HostNs, ObservedNic } from '../../dataplane/index.js';
import type { ResolvedHost, ResolvedInterface, ResolvedRange } from '../../model/index.js';
import type { HostState, RangeContext } from '../runtime.js';

/** A host and the state its runtime reports, for `observe`. */
export interface HostWithState {
  readonly host: ResolvedHost;
  readonly state: HostState;
}

/**
 * How a runtime's hosts join range networks (veth pairs into their namespace, or TAPs their VM
 * opens). Each runtime brings one, so the engine never asks which kind it has.
 */
export interface NicAttachment {
  /** Creates the NICs of hosts just booted into new namespaces, in one batch for all of them. */
  wire(range: ResolvedRange, hosts: readonly HostNs[]): Promise<void>;
  /** Wires a host again after a boot: `fresh` says its namespace is new, so NICs left on the old one are replaced. */
  rewire(range: ResolvedRange, h: HostNs, fresh: boolean): Promise<void>;
  /** Makes wired NICs usable before the workload runs: rate limits, and addresses and routes where the host side sets them. */
  configure(rctx: RangeContext, h: HostNs): Promise<void>;
  /** Starts what keeps NICs configured once the workload runs (DHCP clients on the host side). */
  startClients(rctx: RangeContext, h: HostNs): void;
  /** Adds one stored NIC (already in `host`) to a booted host: wired, configured, limited, hot-plugged when it runs. */
  plug(rctx: RangeContext, range: ResolvedRange, host: ResolvedHost, nic: ResolvedInterface, state: HostState): Promise<void>;
  /** Takes one NIC out of a host and off its bridge, with its limit; a NIC already gone is fine. */
  unplug(rctx: RangeContext, host: ResolvedHost, nic: ResolvedInterface): Promise<void>;
  /** After a host stopped, removes what a rebuild makes again (the host-side namespace and its NICs), keeping the rest. */
  detach(rctx: RangeContext, host: ResolvedHost): Promise<void>;
  /** The NICs each host has now (by host name), as its kernel or guest reports them; none for hosts it cannot read. */
  observe(rctx: RangeContext, hosts: readonly HostWithState[]): Promise<Map<string, ObservedNic[]>>;
}
