import { CyrangeError, RUNTIMES, type RuntimeName } from '../model/index.js';
import { dockerRuntime } from './docker.js';
import { microvmRuntime } from './microvm/runtime.js';
import { netnsRuntime } from './netns.js';
import type { Runtime } from './runtime.js';

const registry = new Map<string, Runtime>([
  [netnsRuntime.name, netnsRuntime],
  [dockerRuntime.name, dockerRuntime],
  [microvmRuntime.name, microvmRuntime],
]);

/** Adds a runtime under its name (used for runtimes with optional dependencies). */
export function registerRuntime(rt: Runtime): void {
  registry.set(rt.name, rt);
}

/** The runtime of that name; an unknown or unavailable one fails with the list of valid names. */
export function getRuntime(name: RuntimeName | string): Runtime {
  const rt = registry.get(name);
  if (!rt) {
    // A name we know but did not register is the machine's lack; any other name is bad input.
    const known = RUNTIMES.includes(name as RuntimeName);
    const why = known ? ' is not available on this machine yet' : ' is unknown';
    throw new CyrangeError(
      known ? 'CYR_UNAVAILABLE' : 'CYR_INVALID',
      `runtime "${name}"${why} (available: ${[...registry.keys()].join(', ')})`,
    );
  }
  return rt;
}

/** Every registered runtime. */
export function allRuntimes(): Runtime[] {
  return [...registry.values()];
}
