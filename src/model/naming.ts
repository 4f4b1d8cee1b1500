/** Linux caps interface names at 15 characters. */
export const IFNAME_MAX = 15;

/** FNV-1a over UTF-16 code units, 32-bit. Pure and stable across runs and platforms. */
function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A stable hex digest of `parts`, `hexLen` characters long (at most 16). */
export function stableHash(parts: readonly string[], hexLen = 10): string {
  const text = parts.join('\u0000');
  const a = fnv1a32(text).toString(16).padStart(8, '0');
  const b = fnv1a32(text, 0x01000193 ^ 0x5bd1e995)
    .toString(16)
    .padStart(8, '0');
  return (a + b).slice(0, hexLen);
}

/**
 * Deterministic, locally administered unicast MAC for one NIC.
 * Keyed by (instance, host, network) so a NIC keeps its MAC when others are added or removed.
 */
export function macFor(instance: string, host: string, network: string): string {
  const h = stableHash(['mac', instance, host, network], 10);
  const bytes = ['02', h.slice(0, 2), h.slice(2, 4), h.slice(4, 6), h.slice(6, 8), h.slice(8, 10)];
  return bytes.join(':');
}

/**
 * MAC of a network's bridge (its gateway). Fixed, because a bridge left to itself takes its lowest
 * port's MAC and changes it when ports come and go, leaving hosts' ARP caches pointing nowhere.
 * Host names are never empty, so it cannot equal a NIC's.
 */
export function gatewayMac(instance: string, network: string): string {
  return macFor(instance, '', network);
}

/** Name of the guest-side NIC: `eth0` for the primary, then in order. */
export function guestIfname(index: number): string {
  return `eth${index}`;
}

/** Name of the bridge that carries one network inside the range namespace. */
export function bridgeIfname(network: string): string {
  const readable = `br-${network}`;
  return readable.length <= IFNAME_MAX ? readable : `br-${stableHash(['br', network], 12)}`;
}

/** Name of the range-namespace end of a host NIC's veth (or TAP): unique per (host, network). */
export function peerIfname(host: string, network: string): string {
  return `v${stableHash(['nic', host, network], 12)}`;
}

/** Name of the range namespace end of the NAT uplink, and of its far end. */
export const UPLINK_IFNAME = 'uplink0';

/** Ownership tag carried as the interface alias of every link Cyrange creates. */
export function linkAlias(instance: string, host: string, network: string): string {
  return `cyrange:${instance}:${host}:${network}`;
}

/** Parses a link alias made by `linkAlias`; null for anything else. */
export function parseLinkAlias(alias: string | undefined): { instance: string; host: string; network: string } | null {
  if (!alias?.startsWith('cyrange:')) return null;
  const [, instance, host, network] = alias.split(':');
  if (!instance || host === undefined || network === undefined) return null;
  return { instance, host, network };
}

/** Prefix of every network namespace Cyrange creates; names never contain `_` otherwise. */
export const NETNS_PREFIX = 'cyr_';

/** Name of a range instance's namespace. */
export function rangeNetns(instance: string): string {
  return `${NETNS_PREFIX}${instance}`;
}

/** Name of a netns host's own namespace. */
export function hostNetns(instance: string, host: string): string {
  return `${NETNS_PREFIX}${instance}_${host}`;
}

/** Parses a namespace name made by `rangeNetns`/`hostNetns`; null when not ours. */
export function parseNetnsName(name: string): { instance: string; host: string | null } | null {
  if (!name.startsWith(NETNS_PREFIX)) return null;
  const [instance, host, extra] = name.slice(NETNS_PREFIX.length).split('_');
  if (!instance || extra !== undefined) return null;
  return { instance, host: host ?? null };
}
