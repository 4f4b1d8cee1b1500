import { type MetadataEntry, ensureMetadataService, writeMetadata } from '../dataplane/index.js';
import { type ResolvedRange, renderMetaDataText, renderNetplan, renderUserData } from '../model/index.js';
import { type EngineConfig, runDirOf } from './config.js';

/** Every NIC's metadata: each host is served its own meta-data, user-data and network-config. */
export function metadataEntries(range: ResolvedRange, cfg: EngineConfig): MetadataEntry[] {
  const entries: MetadataEntry[] = [];
  for (const h of range.hosts) {
    const networkConfig = renderNetplan(range, h, { dns: cfg.defaultDns });
    const userData = renderUserData(h, { hostname: h.name });
    const metaData = renderMetaDataText(range, h);
    for (const n of h.interfaces) {
      entries.push({
        mac: n.mac,
        ip: n.ip,
        instanceId: `${range.instance}-${h.name}`,
        hostname: h.name,
        metaData,
        userData,
        networkConfig,
      });
    }
  }
  return entries;
}

/** Writes the range's metadata and makes sure its service runs (unless turned off in the config). */
export async function publishMetadata(range: ResolvedRange, cfg: EngineConfig): Promise<void> {
  if (!cfg.metadata) return;
  const runDir = runDirOf(cfg, range.instance);
  await writeMetadata(runDir, metadataEntries(range, cfg));
  await ensureMetadataService(range.instance, runDir);
}
