import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CyrangeError, type ResolvedRange, hostNetns, parseLinkAlias, rangeNetns } from '../model/index.js';
import {
  run,
  runJson,
  toBatch,
  isAlive,
  readPidfile,
  spawnDetached,
  writePidfile,
  ensureNetns,
  inNetns,
  killNetnsProcesses,
  listOwnedNetns,
  netnsExists,
  removeNetns,
} from '../sys/index.js';
import { planDnsmasq } from './dnsmasq-plan.js';
import {
  type UplinkPlan,
  lanLinkNames,
  planLanLinkFar,
  planLanLinkNear,
  planRangeBridges,
  planUplinkFar,
  planUplinkNear,
} from './link-plan.js';
import { ipBatchIn, sysctlIn } from './netns.js';
import { readNicIds } from './metadata.js';
import { planBridgeFilter, planNicIds } from './nft-bridge-plan.js';
import { planRangeFirewall } from './nft-plan.js';

/** Where one range instance keeps pid files, logs and leases. */
export interface RangeFiles {
  readonly runDir: string;
}

/** Sysctls of a range namespace: forward only when something is routed or NATed (nftables decides what). */
function rangeSysctls(range: ResolvedRange, uplink: boolean): Record<string, number> {
  const forwards = range.routes.length > 0 || (uplink && range.networks.some((n) => n.egress === 'nat'));
  return {
    'net.ipv4.ip_forward': forwards ? 1 : 0,
    'net.ipv4.conf.all.rp_filter': 2,
    'net.ipv4.conf.default.rp_filter': 2,
    'net.ipv6.conf.all.disable_ipv6': 1,
    'net.ipv6.conf.default.disable_ipv6': 1,
  };
}

/**
 * Bridged frames must not pass through the IP firewall: with br_netfilter loaded (a Docker daemon
 * loads it) each namespace starts with these on, and traffic within one network would be dropped.
 * Set only when the module is there (`sysctl -e` skips unknown keys).
 */
const BRIDGE_NF_OFF = {
  'net.bridge.bridge-nf-call-iptables': 0,
  'net.bridge.bridge-nf-call-ip6tables': 0,
  'net.bridge.bridge-nf-call-arptables': 0,
};

/**
 * Creates a range's namespace with its bridges, firewall, DHCP server and NAT uplink.
 * Safe to call on a range that already has them: existing bridges are kept, the firewall is replaced.
 */
/** Where host bridges for `egress: bridge` networks live. */
export interface LanConfig {
  /** Namespace holding the host bridges; null for the root namespace. */
  readonly netns: string | null;
  /** Bridge for networks that name none. */
  readonly defaultBridge: string | null;
}

export async function ensureRangeNetwork(
  range: ResolvedRange,
  files: RangeFiles,
  uplink: UplinkPlan | null,
  lan?: LanConfig,
): Promise<void> {
  const ns = rangeNetns(range.instance);
  mkdirSync(files.runDir, { recursive: true });
  await ensureNetns([ns]);
  await sysctlIn(ns, rangeSysctls(range, uplink !== null));
  await run(inNetns(ns, ['sysctl', '-q', '-e', '-w', ...Object.entries(BRIDGE_NF_OFF).map(([k, v]) => `${k}=${v}`)]), {
    allowFailure: true,
  });
  const have = new Set((await listLinks(ns)).map((l) => l.ifname));
  const missing = range.networks.filter((n) => !have.has(n.bridge));
  if (missing.length === range.networks.length) await ipBatchIn(ns, planRangeBridges(range));
  else if (missing.length > 0) await ipBatchIn(ns, planRangeBridges({ ...range, networks: missing }).slice(1));
  if (uplink && !have.has('uplink0')) {
    await ipBatchIn(ns, planUplinkNear(range.instance, uplink));
    await ipBatchIn(uplink.farNetns, planUplinkFar(range.instance, uplink));
  }
  for (const n of range.networks.filter((x) => x.egress === 'bridge')) {
    const hostBridge = n.hostBridge ?? lan?.defaultBridge;
    if (!hostBridge)
      throw new CyrangeError('CYR_INVALID', `network ${n.name} is bridged onto a LAN but names no host bridge`, {
        hint: 'set host_bridge, or CYRANGE_HOST_BRIDGE',
      });
    if (have.has(lanLinkNames(range.instance, n.name).near)) continue;
    const far = planLanLinkFar(range.instance, n.name, hostBridge);
    if (lan?.netns) await ipBatchIn(lan.netns, far);
    else await run(['ip', '-batch', '-'], { input: toBatch(far) });
    await ipBatchIn(ns, planLanLinkNear(range.instance, n.name, n.bridge));
  }
  await applyFirewall(range, uplink !== null);
  await ensureDhcpServer(range, files);
}

/**
 * Replaces the range's nftables tables (routing firewall, policies, anti-spoofing, metadata caller
 * identity) in one transaction. NICs keep the metadata ids the kernel has now (observe, plan, apply).
 */
export async function applyFirewall(range: ResolvedRange, uplink: boolean): Promise<void> {
  const nicIds = planNicIds(range, await readNicIds(range.instance));
  await run(inNetns(rangeNetns(range.instance), ['nft', '-f', '-']), {
    input: planRangeFirewall(range, { uplink: uplink ? 'uplink0' : null, nicIds }) + planBridgeFilter(range, nicIds),
  });
}

/** Starts the range's dnsmasq unless it is already running or no network serves DHCP. */
async function ensureDhcpServer(range: ResolvedRange, files: RangeFiles): Promise<void> {
  const pidFile = join(files.runDir, 'dnsmasq.pid');
  const ref = readPidfile(join(files.runDir, 'dnsmasq.ref'));
  if (ref && isAlive(ref)) return;
  const argv = planDnsmasq(range, { leaseFile: join(files.runDir, 'dnsmasq.leases'), pidFile });
  if (!argv) return;
  const started = spawnDetached(inNetns(rangeNetns(range.instance), argv), { logFile: join(files.runDir, 'dnsmasq.log') });
  writePidfile(join(files.runDir, 'dnsmasq.ref'), started);
}

/** A link as `ip -json link` reports it. */
export interface LinkInfo {
  readonly ifname: string;
  readonly ifalias?: string;
  readonly operstate?: string;
  readonly master?: string;
  readonly address?: string;
  readonly flags?: readonly string[];
}

/** Links of a named namespace, read back as JSON. */
export async function listLinks(netns: string): Promise<LinkInfo[]> {
  return runJson<LinkInfo[]>(['ip', '-n', netns, '-json', 'link', 'show']);
}

/** Every namespace of one instance: the range's and its hosts'. */
export function instanceNetns(instance: string): string[] {
  const prefix = hostNetns(instance, '');
  return listOwnedNetns().filter((n) => n === rangeNetns(instance) || n.startsWith(prefix));
}

/** Kills every process living in the given namespaces (hosts, DHCP, consoles) and waits for them. */
/**
 * Removes everything of one instance from the kernel: processes, namespaces (their links go
 * with them) and the uplink's far end. Missing pieces count as removed; failures are collected.
 */
export async function removeRangeNetwork(instance: string, uplinkNetns: string | null): Promise<Error[]> {
  const errors: Error[] = [];
  const names = instanceNetns(instance);
  try {
    await killNetnsProcesses(names);
  } catch (e) {
    errors.push(e as Error);
  }
  if (uplinkNetns && netnsExists(uplinkNetns)) {
    try {
      const far = (await listLinks(uplinkNetns)).filter((l) => parseLinkAlias(l.ifalias)?.instance === instance);
      for (const l of far) await run(['ip', '-n', uplinkNetns, 'link', 'del', l.ifname], { allowFailure: true });
    } catch (e) {
      errors.push(e as Error);
    }
  }
  try {
    await removeNetns(names);
  } catch (e) {
    errors.push(e as Error);
  }
  return errors;
}
