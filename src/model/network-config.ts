import type { NetworkMode, RawNetworkConfig } from './schema.js';

/** The network settings in force for one host after plugin defaults and overrides. */
export interface EffectiveNetworkConfig {
  readonly mode: NetworkMode;
  readonly subnet?: string;
  readonly gateway?: string;
  /** Only meaningful in bridged mode: allocate addresses Cyrange manages. */
  readonly auto_assign?: boolean;
}

/** What is in force when nobody says anything: bridged, with host-managed addresses. */
export const DEFAULT_NETWORK_CONFIG: EffectiveNetworkConfig = Object.freeze({ mode: 'bridged', auto_assign: true });

/** Fields each mode keeps when a patch switches into it. */
const FIELDS_OF_MODE: Record<NetworkMode, ReadonlyArray<keyof EffectiveNetworkConfig>> = {
  bridged: ['subnet', 'gateway', 'auto_assign'],
  dhcp: ['subnet', 'gateway'],
  vsock: [],
};

/** A copy of `cfg` that shares nothing with it. */
export function cloneNetworkConfig(cfg: EffectiveNetworkConfig): EffectiveNetworkConfig {
  return { ...cfg };
}

/**
 * Applies one patch over a base, field by field: a field the patch leaves out is inherited.
 * Switching mode drops the inherited fields the new mode has no use for
 * (bridged → vsock loses subnet, gateway and auto_assign).
 */
export function applyNetworkPatch(base: EffectiveNetworkConfig, patch: RawNetworkConfig | undefined): EffectiveNetworkConfig {
  if (!patch) return cloneNetworkConfig(base);
  const mode = patch.mode ?? base.mode;
  const out: { -readonly [K in keyof EffectiveNetworkConfig]: EffectiveNetworkConfig[K] } = { mode };
  const kept = FIELDS_OF_MODE[mode];
  for (const k of kept) {
    const v = patch[k] ?? base[k];
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  if (mode === 'bridged' && out.auto_assign === undefined) out.auto_assign = true;
  return out;
}

/** The effective config of a host: its own `network` over its plugin's over the default. */
export function resolveNetworkConfig(plugin: RawNetworkConfig | undefined, host: RawNetworkConfig | undefined): EffectiveNetworkConfig {
  return applyNetworkPatch(applyNetworkPatch(DEFAULT_NETWORK_CONFIG, plugin), host);
}
