import type { NetworkMode, RawPlugin } from './schema.js';
import type { ResolvedRange } from './types.js';

/** Seed-style flags describing one host outside a blueprint, with its own network. */
export interface StandaloneHostFlags {
  readonly name: string;
  readonly mode?: NetworkMode | string;
  readonly subnet?: string;
  readonly gateway?: string;
  readonly autoAssign?: boolean;
  readonly ip?: string;
  /** Whether the host's network serves DHCP; by default only in dhcp mode. */
  readonly dhcp?: boolean;
  readonly plugin?: string;
  readonly plugins?: Readonly<Record<string, RawPlugin>>;
  readonly runtime?: string;
  readonly image?: string;
  readonly command?: readonly string[];
}

/** The network a standalone host's own subnet becomes. */
export const STANDALONE_NETWORK = 'net0';
/** The description that marks a range as one standalone host (`cyrange vm create`). */
export const STANDALONE_DESCRIPTION = 'standalone host (cyrange vm create)';

/** Whether a range is a standalone host made by `standaloneBlueprint`. */
export function isStandaloneRange(r: ResolvedRange): boolean {
  return r.description === STANDALONE_DESCRIPTION && r.hosts.length === 1 && r.hosts[0]?.name === r.instance;
}

/**
 * Turns standalone host flags into a one-host blueprint, so the same validation and resolution
 * apply: the range and its host are both named `name`, and the host's own subnet is the network
 * `net0`. Flags override the plugin's defaults field by field. A vsock host keeps a subnet it names
 * (its network, with no NIC on it), so a later move back to bridged gets it again. The result is
 * unvalidated input for `parseRawRange` + `resolveRange`.
 */
export function standaloneBlueprint(f: StandaloneHostFlags): unknown {
  const pluginNet = f.plugin ? f.plugins?.[f.plugin]?.network : undefined;
  const mode = f.mode ?? pluginNet?.mode ?? 'bridged';
  const network: Record<string, unknown> = {};
  if (f.mode !== undefined) network.mode = f.mode;
  // In vsock mode the host has no NIC; the subnet belongs to the network alone.
  if (mode !== 'vsock') {
    if (f.subnet !== undefined) network.subnet = f.subnet;
    if (f.gateway !== undefined) network.gateway = f.gateway;
    if (f.autoAssign !== undefined) network.auto_assign = f.autoAssign;
  }
  const subnet = f.subnet ?? pluginNet?.subnet;
  const host: Record<string, unknown> = { name: f.name };
  if (Object.keys(network).length > 0) host.network = network;
  if (f.plugin !== undefined) host.plugin = f.plugin;
  if (f.runtime !== undefined) host.runtime = f.runtime;
  if (f.image !== undefined) host.image = f.image;
  if (f.command !== undefined && f.command.length > 0) host.command = [...f.command];
  const raw: Record<string, unknown> = { name: f.name, description: STANDALONE_DESCRIPTION, vms: [host], networks: [] };
  if (f.plugins) raw.plugins = f.plugins;
  if (mode !== 'vsock' || subnet !== undefined) {
    const gateway = f.gateway ?? pluginNet?.gateway;
    raw.networks = [
      {
        name: STANDALONE_NETWORK,
        subnet: subnet ?? '',
        ...(gateway !== undefined ? { gateway } : {}),
        ...((f.dhcp ?? mode === 'dhcp') ? { dhcp: true } : {}),
      },
    ];
  }
  if (mode !== 'vsock') host.interfaces = [{ network: STANDALONE_NETWORK, ...(f.ip !== undefined ? { ip: f.ip } : {}) }];
  return raw;
}

/**
 * The flags a standalone host was made from, read back from its stored blueprint (what
 * `standaloneBlueprint` wrote) and its resolved range, which wins for the network: the mode, the
 * subnet and gateway, whether DHCP is served. Fields of neither are left out.
 */
export function standaloneFlagsOf(range: ResolvedRange, blueprint: unknown): StandaloneHostFlags {
  const raw = (blueprint && typeof blueprint === 'object' ? blueprint : {}) as {
    plugins?: Record<string, RawPlugin>;
    vms?: Array<Record<string, unknown>>;
  };
  const rawHost = raw.vms?.[0] ?? {};
  const rawNet = (rawHost.network ?? {}) as { auto_assign?: boolean };
  const rawNic = (rawHost.interfaces as Array<{ ip?: string }> | undefined)?.[0];
  const host = range.hosts[0];
  const net = range.networks.find((n) => n.name === STANDALONE_NETWORK);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const flags: Record<string, unknown> = {
    name: range.instance,
    mode: host?.network.mode,
    subnet: net?.subnet,
    gateway: net?.gateway || undefined,
    dhcp: net ? net.dhcp !== null : undefined,
    autoAssign: rawNet.auto_assign,
    ip: str(rawNic?.ip),
    plugin: str(rawHost.plugin),
    plugins: raw.plugins,
    runtime: host?.runtime,
    image: str(rawHost.image),
    command: Array.isArray(rawHost.command) ? rawHost.command : undefined,
  };
  for (const k of Object.keys(flags)) if (flags[k] === undefined) delete flags[k];
  return flags as unknown as StandaloneHostFlags;
}
