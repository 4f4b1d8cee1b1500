import { mkdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rangeNetns } from '../model/index.js';
import { ipBatchIn, inNetns } from './netns.js';
import { libexecPath } from './libexec.js';
import { isAlive, readPidfile, spawnDetached, writePidfile } from './procs.js';

/** The link-local address guests fetch their metadata from. */
export const METADATA_IP = '169.254.169.254';

/** What one NIC's owner is served by the metadata service. */
export interface MetadataEntry {
  readonly mac: string;
  /** Static or allocated address the request must come from; null for DHCP NICs. */
  readonly ip: string | null;
  readonly instanceId: string;
  readonly hostname: string;
  readonly metaData: string;
  readonly userData: string;
  readonly networkConfig: string;
}

/** Rewrites the files the metadata service serves, one directory per NIC's MAC (async: it runs beside host set-up). */
export async function writeMetadata(runDir: string, entries: readonly MetadataEntry[]): Promise<void> {
  const root = join(runDir, 'metadata', 'hosts');
  await rm(root, { recursive: true, force: true });
  await Promise.all(
    entries.map(async (e) => {
      const dir = join(root, e.mac.replaceAll(':', '-'));
      await mkdir(dir, { recursive: true });
      await Promise.all([
        e.ip ? writeFile(join(dir, 'ip'), e.ip) : undefined,
        writeFile(join(dir, 'instance-id'), e.instanceId),
        writeFile(join(dir, 'hostname'), e.hostname),
        writeFile(join(dir, 'meta-data'), e.metaData),
        writeFile(join(dir, 'user-data'), e.userData),
        writeFile(join(dir, 'network-config'), e.networkConfig),
      ]);
    }),
  );
}

/**
 * Starts the range's metadata service: 169.254.169.254 on the range namespace's loopback, where
 * every host's default route leads, and socat answering on port 80 with libexec/metadata-server.
 */
export async function ensureMetadataService(instance: string, runDir: string): Promise<void> {
  const ns = rangeNetns(instance);
  await ipBatchIn(ns, [['addr', 'replace', `${METADATA_IP}/32`, 'dev', 'lo']]);
  const pidFile = join(runDir, 'metadata.pid');
  const ref = readPidfile(pidFile);
  if (ref && isAlive(ref)) return;
  mkdirSync(join(runDir, 'metadata', 'tokens'), { recursive: true });
  const argv = inNetns(ns, ['socat', `TCP-LISTEN:80,bind=${METADATA_IP},fork,reuseaddr`, `EXEC:${libexecPath('metadata-server')}`]);
  writePidfile(
    pidFile,
    spawnDetached(argv, { logFile: join(runDir, 'metadata.log'), env: { ...process.env, CYRANGE_MD_ROOT: join(runDir, 'metadata') } }),
  );
}
