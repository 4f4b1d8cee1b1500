import { CyrangeError } from '../model/index.js';
import { type Argv, run, runJson, toBatch } from '../sys/index.js';

/** Where a command runs: the root namespace (null) or a named one. */
type Where = string | null;

const ip = (where: Where, ...args: string[]): Argv => (where ? ['ip', '-n', where, ...args] : ['ip', ...args]);

interface AddrJson {
  ifname: string;
  address?: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope?: string }>;
}
interface RouteJson {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  metric?: number;
}

/** What moving an interface onto a bridge changes, as `ip` batch lines, and how to undo it. */
export interface HostBridgePlan {
  readonly apply: readonly Argv[];
  readonly undo: readonly Argv[];
  /** Address to ping afterwards: the default gateway, if the interface had one. */
  readonly gateway: string | null;
  readonly addresses: readonly string[];
}

/**
 * Plans moving IFACE's IPv4 addresses and routes onto a new bridge that holds IFACE: the set-up a
 * network needs to be bridged onto the LAN. Pure once the current state is read.
 */
export async function planHostBridge(where: Where, bridge: string, iface: string): Promise<HostBridgePlan> {
  const links = await runJson<AddrJson[]>(ip(where, '-json', 'addr', 'show', 'dev', iface)).catch(() => [] as AddrJson[]);
  if (bridge !== iface) {
    const taken = (await run(ip(where, 'link', 'show', 'dev', bridge), { allowFailure: true })).code === 0;
    // Undo deletes the bridge, so it must be one this set-up creates.
    if (taken)
      throw new CyrangeError('CYR_EXISTS', `${bridge} already exists${where ? ` in namespace ${where}` : ''}; choose another bridge name`);
  }
  const link = links[0];
  if (!link) throw new CyrangeError('CYR_NOT_FOUND', `no interface ${iface}${where ? ` in namespace ${where}` : ''}`);
  const addrs = (link.addr_info ?? []).filter((a) => a.family === 'inet' && a.scope !== 'host').map((a) => `${a.local}/${a.prefixlen}`);
  const routes = (await runJson<RouteJson[]>(ip(where, '-json', 'route', 'show', 'dev', iface))).filter((r) => r.protocol !== 'kernel');
  const gateway = routes.find((r) => r.dst === 'default')?.gateway ?? null;
  const route = (r: RouteJson, dev: string): Argv => [
    'route',
    'replace',
    r.dst,
    ...(r.gateway ? ['via', r.gateway] : []),
    'dev',
    dev,
    ...(r.metric !== undefined ? ['metric', String(r.metric)] : []),
  ];
  return {
    gateway,
    addresses: addrs,
    apply: [
      // The NIC's own MAC: the LAN's ARP caches and DHCP reservations stay valid, and the bridge
      // does not take a new MAC from the lowest port whenever a range joins or leaves.
      ['link', 'add', bridge, ...(link.address ? ['address', link.address] : []), 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0'],
      ['link', 'set', bridge, 'alias', 'cyrange:host-bridge'],
      ['link', 'set', iface, 'master', bridge],
      ['link', 'set', bridge, 'up'],
      ...addrs.flatMap((a) => [['addr', 'del', a, 'dev', iface] as Argv, ['addr', 'add', a, 'dev', bridge] as Argv]),
      ...routes.map((r) => route(r, bridge)),
    ],
    undo: [
      ...addrs.map((a): Argv => ['addr', 'add', a, 'dev', iface]),
      ['link', 'set', iface, 'nomaster'],
      ['link', 'del', bridge],
      ...routes.map((r) => route(r, iface)),
    ],
  };
}

async function batch(where: Where, lines: readonly Argv[], force = false): Promise<void> {
  await run(
    where ? ['ip', '-n', where, ...(force ? ['-force'] : []), '-batch', '-'] : ['ip', ...(force ? ['-force'] : []), '-batch', '-'],
    {
      input: toBatch(lines),
      allowFailure: force,
    },
  );
}

async function reaches(where: Where, addr: string): Promise<boolean> {
  for (let i = 0; i < 5; i++) {
    const argv = where
      ? ['nsenter', `--net=/run/netns/${where}`, '--', 'ping', '-c', '1', '-W', '1', addr]
      : ['ping', '-c', '1', '-W', '1', addr];
    if ((await run(argv, { allowFailure: true })).code === 0) return true;
  }
  return false;
}

/**
 * Applies a host-bridge plan, checking first that the gateway answers, and after that it still
 * does; if it no longer does, everything is undone at once (a bad bridge set-up cuts the
 * operator's own connection). Returns whether the gateway was checked.
 */
export async function applyHostBridge(where: Where, plan: HostBridgePlan): Promise<{ checked: boolean }> {
  const checked = plan.gateway !== null && (await reaches(where, plan.gateway));
  try {
    await batch(where, plan.apply);
  } catch (e) {
    await batch(where, plan.undo, true);
    throw e;
  }
  if (checked && plan.gateway && !(await reaches(where, plan.gateway))) {
    await batch(where, plan.undo, true);
    throw new CyrangeError('CYR_RUNTIME', `lost the gateway ${plan.gateway} after moving to the bridge; rolled back`);
  }
  return { checked };
}

/** Moves addresses and routes back from the bridge to the interface and removes the bridge. */
export async function teardownHostBridge(where: Where, bridge: string, iface: string): Promise<void> {
  const plan = await planHostBridge(where, bridge, bridge);
  const lines: Argv[] = [
    ...plan.addresses.map((a): Argv => ['addr', 'add', a, 'dev', iface]),
    ['link', 'set', iface, 'nomaster'],
    ['link', 'del', bridge],
  ];
  const routes = await runJson<RouteJson[]>(ip(where, '-json', 'route', 'show', 'dev', bridge));
  for (const r of routes.filter((x) => x.protocol !== 'kernel'))
    lines.push(['route', 'replace', r.dst, ...(r.gateway ? ['via', r.gateway] : []), 'dev', iface]);
  await batch(where, lines);
}

/** The netplan file that makes a host bridge survive a reboot (the address comes by DHCP or stays static). */
export function hostBridgeNetplan(bridge: string, iface: string, addresses: readonly string[], gateway: string | null): string {
  const lines = [
    'network:',
    '  version: 2',
    '  renderer: networkd',
    '  ethernets:',
    `    ${iface}:`,
    '      dhcp4: false',
    '      dhcp6: false',
    '  bridges:',
    `    ${bridge}:`,
    `      interfaces: [${iface}]`,
  ];
  if (addresses.length === 0) lines.push('      dhcp4: true');
  else {
    lines.push('      addresses:', ...addresses.map((a) => `        - ${a}`));
    if (gateway) lines.push('      routes:', '        - to: default', `          via: ${gateway}`);
  }
  lines.push('      parameters:', '        stp: false', '        forward-delay: 0');
  return `${lines.join('\n')}\n`;
}
