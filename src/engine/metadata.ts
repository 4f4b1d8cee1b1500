import { type MetadataHost, ensureMetadataService, writeMetadata } from '../dataplane/index.js';
import { type ResolvedRange, renderMetaDataText, renderNetplan, renderUserData } from '../model/index.js';
import { type EngineConfig, runDirOf } from './config.js';

/** Every host's metadata: each host is served its own meta-data, user-data and network-config, on each of its NICs. */
export function metadataHosts(range: ResolvedRange, cfg: EngineConfig): MetadataHost[] {
  return range.hosts.map((h) => ({
    name: h.name,
    instanceId: `${range.instance}-${h.name}`,
    hostname: h.name,
    metaData: renderMetaDataText(range, h),
    userData: renderUserData(h, { hostname: h.name }),
    networkConfig: renderNetplan(range, h, { dns: cfg.defaultDns }),
    nics: h.interfaces.map((n) => ({ network: n.network, peer: n.peer, mac: n.mac, ip: n.ip })),
  }));
}

/**
 * Writes the range's metadata and makes sure its service runs and serves it (unless turned off in
 * the config). The range's firewall must be in place: it decides which NIC a request came from.
 */
export async function publishMetadata(range: ResolvedRange, cfg: EngineConfig): Promise<void> {
  if (!cfg.metadata) return;
  const runDir = runDirOf(cfg, range.instance);
  await writeMetadata(range.instance, runDir, metadataHosts(range, cfg));
  await ensureMetadataService(range.instance, runDir);
}
