// The defaults more than one layer needs, each defined once. A leaf module (no imports that run),
// so the CLI's eager command table can read it without loading the model.
import type { ResolvedHost } from './types.js';

/** Token bucket size when a blueprint gives a rate but no burst, in KiB. */
export const DEFAULT_BURST_KB = 32;

/** A MAC as blueprints and the store write it: six lower-case hex pairs. */
export const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** How microVMs run when the engine's configuration says nothing. */
export const MICROVM_DEFAULTS = Object.freeze({
  /** Directory of the guest kernel and initramfs. */
  assets: '/var/lib/cyrange/microvm',
  accel: 'auto' as 'auto' | 'kvm' | 'tcg',
  /** From launch until the guest's init answers, ms. */
  bootTimeoutMs: 120_000,
  /** TCG translation cache per guest, MiB. */
  tcgCacheMb: 32,
});

/** Fields of a resolved host a blueprint may leave out. */
export type HostDefaults = Pick<ResolvedHost, 'plugin' | 'image' | 'command' | 'env' | 'resources' | 'ipForward' | 'hidden' | 'vncPort'>;

/** Those fields at their defaults, as new objects each call (a stored host written before a field existed reads as these). */
export function hostDefaults(): HostDefaults {
  return {
    plugin: null,
    image: null,
    command: null,
    env: {},
    resources: { memoryBytes: null, cpus: null },
    ipForward: false,
    hidden: false,
    vncPort: null,
  };
}
