import type { NetworkMode, RawPlugin } from './schema.js';

/** Seed-style flags describing one host outside a blueprint, with its own network. */
export interface StandaloneHostFlags {
  readonly name: string;
  readonly mode?: NetworkMode | string;
  readonly subnet?: string;
  readonly gateway?: string;
  readonly autoAssign?: boolean;
  readonly ip?: string;
  readonly plugin?: string;
  readonly plugins?: Readonly<Record<string, RawPlugin>>;
  readonly runtime?: string;
  readonly image?: string;
  readonly command?: readonly string[];
}

/** The network a standalone host's own subnet becomes. */
export const STANDALONE_NETWORK = 'net0';

/**
 * Turns standalone host flags into a one-host blueprint, so the same validation and resolution
 * apply. The result is unvalidated input for `parseRawRange` + `resolveRange`.
 */
export function standaloneBlueprint(f: StandaloneHostFlags): unknown {
  const network: Record<string, unknown> = {};
  if (f.mode !== undefined) network.mode = f.mode;
  if (f.subnet !== undefined) network.subnet = f.subnet;
  if (f.gateway !== undefined) network.gateway = f.gateway;
  if (f.autoAssign !== undefined) network.auto_assign = f.autoAssign;
  const pluginNet = f.plugin ? f.plugins?.[f.plugin]?.network : undefined;
  const mode = f.mode ?? pluginNet?.mode ?? 'bridged';
  const subnet = f.subnet ?? pluginNet?.subnet;
  const host: Record<string, unknown> = { name: f.name };
  if (Object.keys(network).length > 0) host.network = network;
  if (f.plugin !== undefined) host.plugin = f.plugin;
  if (f.runtime !== undefined) host.runtime = f.runtime;
  if (f.image !== undefined) host.image = f.image;
  if (f.command !== undefined && f.command.length > 0) host.command = [...f.command];
  const raw: Record<string, unknown> = { name: f.name, vms: [host], networks: [] };
  if (f.plugins) raw.plugins = f.plugins;
  if (mode !== 'vsock') {
    const gateway = f.gateway ?? pluginNet?.gateway;
    raw.networks = [
      {
        name: STANDALONE_NETWORK,
        subnet: subnet ?? '',
        ...(gateway !== undefined ? { gateway } : {}),
        ...(mode === 'dhcp' ? { dhcp: true } : {}),
      },
    ];
    host.interfaces = [{ network: STANDALONE_NETWORK, ...(f.ip !== undefined ? { ip: f.ip } : {}) }];
  }
  return raw;
}
