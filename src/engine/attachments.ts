import type { ResolvedHost } from '../model/index.js';
import { type NicAttachment, getRuntime } from '../runtimes/index.js';

/** The NIC attachment of a host's runtime (veth or TAP: the engine need not know which). */
export function nicsOf(host: ResolvedHost): NicAttachment {
  return getRuntime(host.runtime).nics;
}

/** Items grouped by the NIC attachment of their host, so each attachment works on its hosts in one batch. */
export function byAttachment<T>(items: readonly T[], hostOf: (item: T) => ResolvedHost): Map<NicAttachment, T[]> {
  const m = new Map<NicAttachment, T[]>();
  for (const item of items) {
    const nics = nicsOf(hostOf(item));
    m.set(nics, [...(m.get(nics) ?? []), item]);
  }
  return m;
}
