import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CyrangeError, rangeNetns } from '../model/index.js';
import {
  run,
  libexecPath,
  type ProcRef,
  isAlive,
  readPidfile,
  spawnDetached,
  terminate,
  writePidfile,
  inNetns,
  waitFor,
} from '../sys/index.js';
import { ipBatchIn } from './netns.js';
import { NFT_BRIDGE_TABLE, NIC_ID_MAP, metadataPort } from './nft-bridge-plan.js';

/** The link-local address guests fetch their metadata from. */
export const METADATA_IP = '169.254.169.254';

/** Version of the document `writeMetadata` writes and libexec/metadata-server.mjs reads. */
export const METADATA_DOC_VERSION = 1;

/** One NIC of a host, as the metadata service knows it. */
export interface MetadataNic {
  readonly network: string;
  /** Range-side port (veth or TAP end) the NIC's traffic comes in on: what identifies the caller. */
  readonly peer: string;
  readonly mac: string;
  /** Static or allocated address; null for DHCP NICs. */
  readonly ip: string | null;
}

/** What one host is served by the metadata service, on each of its NICs. */
export interface MetadataHost {
  readonly name: string;
  readonly instanceId: string;
  readonly hostname: string;
  /** NoCloud `meta-data` (YAML). */
  readonly metaData: string;
  readonly userData: string;
  /** Netplan v2 `network-config`. */
  readonly networkConfig: string;
  readonly nics: readonly MetadataNic[];
}

/** The document the metadata server serves: NICs by the local port their requests arrive on. */
export interface MetadataDocument {
  readonly version: number;
  readonly instance: string;
  readonly address: string;
  readonly nics: readonly {
    readonly port: number;
    readonly host: string;
    readonly network: string;
    readonly mac: string;
    readonly ip: string | null;
  }[];
  readonly hosts: Readonly<
    Record<
      string,
      {
        readonly instanceId: string;
        readonly hostname: string;
        readonly metaData: string;
        readonly userData: string;
        readonly networkConfig: string;
      }
    >
  >;
}

/**
 * The metadata document for a range, given the NIC ids the firewall uses (`planNicIds`). A NIC
 * without an id is left out: it is not served until the firewall knows it. Pure.
 */
export function planMetadataDocument(
  instance: string,
  hosts: readonly MetadataHost[],
  nicIds: ReadonlyMap<string, number>,
): MetadataDocument {
  const nics: MetadataDocument['nics'][number][] = [];
  const byHost: Record<string, MetadataDocument['hosts'][string]> = {};
  for (const h of hosts) {
    byHost[h.name] = {
      instanceId: h.instanceId,
      hostname: h.hostname,
      metaData: h.metaData,
      userData: h.userData,
      networkConfig: h.networkConfig,
    };
    for (const n of h.nics) {
      const id = nicIds.get(n.peer);
      if (id !== undefined) nics.push({ port: metadataPort(id), host: h.name, network: n.network, mac: n.mac, ip: n.ip });
    }
  }
  nics.sort((a, b) => a.port - b.port);
  return { version: METADATA_DOC_VERSION, instance, address: METADATA_IP, nics, hosts: byHost };
}

/** Where a range's metadata document lives. */
export function metadataDocPath(runDir: string): string {
  return join(runDir, 'metadata.json');
}

/**
 * The NIC ids the range's bridge table uses now (observed, so that a re-plan keeps them);
 * empty when the table or its map does not exist yet.
 */
export async function readNicIds(instance: string): Promise<Map<string, number>> {
  const r = await run(inNetns(rangeNetns(instance), ['nft', '-j', 'list', 'map', 'bridge', NFT_BRIDGE_TABLE, NIC_ID_MAP]), {
    allowFailure: true,
  });
  const ids = new Map<string, number>();
  if (r.code !== 0) return ids;
  const doc = JSON.parse(r.stdout) as { nftables?: Array<{ map?: { elem?: Array<[unknown, unknown]> } }> };
  for (const item of doc.nftables ?? []) {
    for (const [key, value] of item.map?.elem ?? []) {
      if (typeof key === 'string' && typeof value === 'number') ids.set(key, value);
    }
  }
  return ids;
}

/**
 * Rewrites the range's metadata document atomically (a temporary file renamed over it, so the
 * server and concurrent writers never see half of one). NICs are keyed by the ids now in the
 * kernel, so apply the firewall first.
 */
export async function writeMetadata(instance: string, runDir: string, hosts: readonly MetadataHost[]): Promise<void> {
  const doc = planMetadataDocument(instance, hosts, await readNicIds(instance));
  const path = metadataDocPath(runDir);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(doc)}\n`, { mode: 0o600 });
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  // Files of the shell-and-socat service this one replaced (per-MAC directories, tokens).
  await rm(join(runDir, 'metadata'), { recursive: true, force: true });
}

/** Whether a live process is our metadata server (and not, say, the socat service it replaced). */
function isMetadataServer(ref: ProcRef): boolean {
  try {
    return readFileSync(`/proc/${ref.pid}/cmdline`, 'utf8').split('\0').includes(libexecPath('metadata-server.mjs'));
  } catch {
    return false;
  }
}

/** Ports listening on `ip` (IPv4) in the network namespace of `pid`, from its /proc/PID/net/tcp. */
function listeningPorts(pid: number, ip: string): Set<number> {
  // The kernel prints the address as a host-order (little-endian here) 32-bit hex number.
  const hex = ip
    .split('.')
    .reverse()
    .map((b) => Number(b).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  const ports = new Set<number>();
  let text = '';
  try {
    text = readFileSync(`/proc/${pid}/net/tcp`, 'utf8');
  } catch {
    return ports;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const [addr, port] = f[1]?.split(':') ?? [];
    if (addr === hex && port && f[3] === '0A') ports.add(Number.parseInt(port, 16));
  }
  return ports;
}

/**
 * Starts the range's metadata service, or has the running one reload: 169.254.169.254 on the
 * range namespace's loopback, where every host's default route leads, and one Node process
 * (libexec/metadata-server.mjs) with a listener per NIC, to which the firewall sends each NIC's
 * requests. Resolves when every NIC of the document has its listener.
 */
export async function ensureMetadataService(instance: string, runDir: string, opts: { readyTimeoutMs?: number } = {}): Promise<void> {
  const ns = rangeNetns(instance);
  await ipBatchIn(ns, [['addr', 'replace', `${METADATA_IP}/32`, 'dev', 'lo']]);
  const pidFile = join(runDir, 'metadata.pid');
  let ref = readPidfile(pidFile);
  if (ref && isAlive(ref) && !isMetadataServer(ref)) {
    await terminate([ref.pid]);
    ref = null;
  }
  if (ref && isAlive(ref)) {
    process.kill(ref.pid, 'SIGHUP');
  } else {
    const argv = inNetns(ns, [process.execPath, libexecPath('metadata-server.mjs'), metadataDocPath(runDir), METADATA_IP]);
    // A minimal environment: the server never sees ours (API tokens, database URL).
    ref = spawnDetached(argv, { logFile: join(runDir, 'metadata.log'), env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    writePidfile(pidFile, ref);
  }
  const doc = JSON.parse(readFileSync(metadataDocPath(runDir), 'utf8')) as MetadataDocument;
  const want = doc.nics.map((n) => n.port);
  const live = ref;
  const listening = () => {
    const have = listeningPorts(live.pid, METADATA_IP);
    return want.every((p) => have.has(p));
  };
  if (await waitFor(() => isAlive(live) && listening(), { timeoutMs: opts.readyTimeoutMs ?? 5000, while: () => isAlive(live) })) return;
  throw new CyrangeError('CYR_RUNTIME', `range "${instance}": the metadata service did not come up`, {
    hint: `see ${join(runDir, 'metadata.log')}`,
  });
}
