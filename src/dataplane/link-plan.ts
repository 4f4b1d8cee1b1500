import {
  type ResolvedHost,
  type ResolvedInterface,
  type ResolvedRange,
  defaultRouteNic,
  gatewayMac,
  linkAlias,
  rangeNetns,
  stableHash,
} from '../model/index.js';
import type { Argv } from '../sys/index.js';

/** Links of the range namespace itself: loopback and one bridge per network with its gateway. */
export function planRangeBridges(range: ResolvedRange): Argv[] {
  const lines: Argv[] = [['link', 'set', 'lo', 'up']];
  for (const n of range.networks) {
    lines.push(
      [
        'link',
        'add',
        n.bridge,
        'address',
        gatewayMac(range.instance, n.name),
        'type',
        'bridge',
        'stp_state',
        '0',
        'forward_delay',
        '0',
        'mcast_snooping',
        '0',
      ],
      ['link', 'set', n.bridge, 'alias', linkAlias(range.instance, '', n.name)],
      // A network bridged onto a LAN is only an L2 extension: the LAN's router has the gateway.
      // A /31 point-to-point network has none at all: both of its addresses are hosts'.
      ...(n.egress === 'bridge' || !n.gateway ? [] : [['addr', 'add', `${n.gateway}/${n.prefix}`, 'dev', n.bridge] as Argv]),
      ['link', 'set', n.bridge, 'up'],
    );
  }
  return lines;
}

/** Puts a NIC's range end (veth end or TAP) on its network's bridge, tagged, and up. */
function planAttachNic(range: ResolvedRange, host: ResolvedHost, nic: ResolvedInterface): Argv {
  const bridge = range.networks.find((n) => n.name === nic.network)?.bridge ?? '';
  return ['link', 'set', nic.peer, 'master', bridge, 'alias', linkAlias(range.instance, host.name, nic.network), 'up'];
}

/**
 * Veth pairs for hosts, run in the range namespace: the range end joins the network's bridge,
 * the host end is created straight inside the host's namespace with its final name and MAC.
 */
export function planHostVeths(range: ResolvedRange, hosts: ReadonlyArray<{ host: ResolvedHost; netns: string }>): Argv[] {
  const lines: Argv[] = [];
  for (const { host, netns } of hosts) {
    for (const nic of host.interfaces) {
      lines.push(
        ['link', 'add', nic.peer, 'type', 'veth', 'peer', 'name', nic.ifname, 'address', nic.mac, 'netns', netns],
        planAttachNic(range, host, nic),
      );
    }
  }
  return lines;
}

/** Removes one host NIC's veth from the range namespace (the host end goes with it). */
export function planRemoveNic(peer: string): Argv[] {
  return [['link', 'del', peer]];
}

/**
 * Inside a host's namespace: aliases, static or allocated addresses, link up, and the default
 * route via the primary network's gateway. DHCP hosts get their address from a client instead.
 */
export function planHostAddresses(instance: string, host: ResolvedHost): Argv[] {
  const lines: Argv[] = [['link', 'set', 'lo', 'up']];
  for (const nic of host.interfaces) {
    lines.push(['link', 'set', nic.ifname, 'alias', linkAlias(instance, host.name, nic.network)]);
    if (nic.ip !== null) lines.push(['addr', 'replace', `${nic.ip}/${nic.prefix}`, 'dev', nic.ifname]);
    lines.push(['link', 'set', nic.ifname, 'up']);
  }
  // Through the primary's gateway, or another NIC's when the primary is on a /31 (no gateway).
  const routed = defaultRouteNic(host);
  if (routed) lines.push(['route', 'replace', 'default', 'via', routed.gateway, 'dev', routed.ifname]);
  return lines;
}

/** A NAT uplink: a veth from the range namespace to the uplink namespace, a /30 between them. */
export interface UplinkPlan {
  readonly farNetns: string;
  readonly farIfname: string;
  readonly nearIp: string;
  readonly farIp: string;
}

/** Range-namespace side of an uplink: the veth (far end created in the uplink namespace), address, default route. */
export function planUplinkNear(instance: string, u: UplinkPlan): Argv[] {
  return [
    ['link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', u.farIfname, 'netns', u.farNetns],
    ['link', 'set', 'uplink0', 'alias', linkAlias(instance, '', 'uplink')],
    ['addr', 'add', `${u.nearIp}/30`, 'dev', 'uplink0'],
    ['link', 'set', 'uplink0', 'up'],
    ['route', 'replace', 'default', 'via', u.farIp, 'dev', 'uplink0'],
  ];
}

/** Uplink-namespace side: the far end's address and tag. */
export function planUplinkFar(instance: string, u: UplinkPlan): Argv[] {
  return [
    ['link', 'set', u.farIfname, 'alias', linkAlias(instance, '', 'uplink')],
    ['addr', 'add', `${u.farIp}/30`, 'dev', u.farIfname],
    ['link', 'set', u.farIfname, 'up'],
  ];
}

/** Names of the veth that joins a range network to a host bridge: range end, host end (unique per machine). */
export function lanLinkNames(instance: string, network: string): { near: string; far: string } {
  return { near: `lan${stableHash(['lan', network], 11)}`, far: `cyl${stableHash(['lan', instance, network], 12)}` };
}

/**
 * Joins a range network at L2 to a host bridge (for `egress: bridge`): run in the namespace that
 * holds the host bridge, it creates the veth with its near end straight in the range namespace.
 */
export function planLanLinkFar(instance: string, network: string, hostBridge: string): Argv[] {
  const { near, far } = lanLinkNames(instance, network);
  return [
    ['link', 'add', far, 'type', 'veth', 'peer', 'name', near, 'netns', rangeNetns(instance)],
    ['link', 'set', far, 'master', hostBridge, 'alias', linkAlias(instance, '', `lan-${network}`), 'up'],
  ];
}

/** The range end of a LAN link: onto the network's bridge. */
export function planLanLinkNear(instance: string, network: string, bridge: string): Argv[] {
  const { near } = lanLinkNames(instance, network);
  return [['link', 'set', near, 'master', bridge, 'alias', linkAlias(instance, '', `lan-${network}`), 'up']];
}

/** Who may open a TAP without privileges: the VM process's uid and gid. */
export interface TapOwner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * TAPs for VM hosts, run in the range namespace: one per NIC, named like a veth's range end, on the
 * network's bridge and tagged. The VM opens it by name; the guest's MAC is set on the VM's NIC.
 * TAPs that already exist (`existing`) are only re-attached. New TAPs belong to `owner`, so an
 * unprivileged VM process can open them (null: root only).
 */
export function planHostTaps(
  range: ResolvedRange,
  hosts: readonly ResolvedHost[],
  existing: ReadonlySet<string>,
  owner: TapOwner | null,
): Argv[] {
  const lines: Argv[] = [];
  const own = owner ? ['user', String(owner.uid), 'group', String(owner.gid)] : [];
  for (const host of hosts) {
    for (const nic of host.interfaces) {
      if (!existing.has(nic.peer)) lines.push(['tuntap', 'add', 'dev', nic.peer, 'mode', 'tap', 'vnet_hdr', ...own]);
      lines.push(planAttachNic(range, host, nic));
    }
  }
  return lines;
}
