import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CyrangeError, type ResolvedHost, type ResolvedRange, rangeNetns } from '../model/index.js';
import {
  run,
  libexecPath,
  toBatch,
  type ProcRef,
  isAlive,
  minimalEnv,
  readPidfile,
  removePidfile,
  spawnDetached,
  systemUser,
  terminate,
  VM_USER,
  writePidfile,
  inNetns,
  netnsExists,
  waitFor,
} from '../sys/index.js';
import { type TapOwner, planHostAddresses, planHostTaps, planHostVeths, planRemoveNic } from './link-plan.js';
import { listLinks } from './range-net.js';
import { ipBatchIn } from './netns.js';

/** A host and the named namespace that holds its NICs. */
export interface HostNs {
  readonly host: ResolvedHost;
  readonly netns: string;
}

/** Creates every listed host's veth pairs in one batch in the range namespace. */
export async function wireHosts(range: ResolvedRange, hosts: readonly HostNs[]): Promise<void> {
  await ipBatchIn(rangeNetns(range.instance), planHostVeths(range, hosts));
}

/**
 * Creates (or re-attaches) the TAPs of VM hosts in the range namespace, in one batch; new TAPs
 * belong to `owner` (default: the VM user).
 */
export async function wireTaps(range: ResolvedRange, hosts: readonly ResolvedHost[], owner: TapOwner = systemUser(VM_USER)): Promise<void> {
  const ns = rangeNetns(range.instance);
  const existing = new Set((await listLinks(ns)).map((l) => l.ifname));
  await ipBatchIn(ns, planHostTaps(range, hosts, existing, owner));
}

/** Configures a wired host's NICs from inside its namespace: addresses, link up, default route. */
export async function configureHost(instance: string, h: HostNs): Promise<void> {
  await ipBatchIn(h.netns, planHostAddresses(instance, h.host));
}

/** Removes one NIC of a host: deleting the range end of the veth deletes both ends. */
export async function unwireNic(instance: string, peer: string): Promise<void> {
  await ipBatchIn(rangeNetns(instance), planRemoveNic(peer));
}

function dhcpPidfile(runDir: string, host: string, ifname: string): string {
  return join(runDir, `${host}.dhcp-${ifname}.pid`);
}

/** Starts a DHCP client on each NIC of a dhcp-mode host, inside the host's namespace. */
export function startDhcpClients(runDir: string, h: HostNs): ProcRef[] {
  if (h.host.network.mode !== 'dhcp') return [];
  const refs: ProcRef[] = [];
  for (const nic of h.host.interfaces) {
    const pidFile = dhcpPidfile(runDir, h.host.name, nic.ifname);
    const old = readPidfile(pidFile);
    if (old && isAlive(old)) continue;
    const argv = [
      'busybox',
      'udhcpc',
      '-f',
      '-i',
      nic.ifname,
      '-s',
      libexecPath('udhcpc-script'),
      '-x',
      `hostname:${h.host.name}`,
      '-B',
      '-t',
      '60',
      '-T',
      '1',
      '-A',
      '1',
    ];
    const ref = spawnDetached(inNetns(h.netns, argv), {
      logFile: join(runDir, `${h.host.name}.dhcp.log`),
      env: minimalEnv({ CYRANGE_PRIMARY: nic.primary ? '1' : '0' }),
    });
    writePidfile(pidFile, ref);
    refs.push(ref);
  }
  return refs;
}

/** Stops a host's DHCP clients, or only the one on `ifname`. */
export async function stopDhcpClients(runDir: string, host: ResolvedHost, ifname?: string): Promise<void> {
  const nics = host.interfaces.filter((n) => ifname === undefined || n.ifname === ifname);
  const refs = nics.map((n) => ({
    file: dhcpPidfile(runDir, host.name, n.ifname),
    ref: readPidfile(dhcpPidfile(runDir, host.name, n.ifname)),
  }));
  await terminate(refs.flatMap((r) => (r.ref && isAlive(r.ref) ? [r.ref.pid] : [])));
  for (const r of refs) removePidfile(r.file);
}

/** IPv4 addresses and link state of a host's NICs, read inside its namespace. */
export interface ObservedNic {
  readonly ifname: string;
  readonly mac: string;
  readonly operstate: string;
  readonly ipv4: readonly string[];
}

type AddrJson = Array<{
  ifname: string;
  address?: string;
  operstate?: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}>;

function toObserved(links: AddrJson): ObservedNic[] {
  return links
    .filter((l) => l.ifname !== 'lo')
    .map((l) => ({
      ifname: l.ifname,
      mac: l.address ?? '',
      operstate: l.operstate ?? 'UNKNOWN',
      ipv4: (l.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
    }));
}

/** Reads a host's NICs back with `ip -json addr` in its namespace. */
export async function observeHostNics(netns: string): Promise<ObservedNic[]> {
  const r = await run(['ip', '-n', netns, '-json', 'addr', 'show'], { allowFailure: true });
  return r.code === 0 ? toObserved(JSON.parse(r.stdout || '[]') as AddrJson) : [];
}

/**
 * Reads the NICs of many hosts with one `ip -batch` (`netns exec … ip -json addr` per host):
 * one process started from here instead of one per host, which keeps the server responsive.
 */
export async function observeManyHostNics(netns: readonly string[]): Promise<Map<string, ObservedNic[]>> {
  const present = netns.filter(netnsExists);
  const out = new Map<string, ObservedNic[]>();
  if (present.length === 0) return out;
  const r = await run(['ip', '-batch', '-'], {
    input: toBatch(present.map((n) => ['netns', 'exec', n, 'ip', '-json', 'addr', 'show'])),
    allowFailure: true,
  });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('['));
  if (r.code !== 0 || lines.length !== present.length) {
    // A namespace vanished meanwhile: fall back to one read per host.
    for (const n of present) out.set(n, await observeHostNics(n));
    return out;
  }
  for (const [i, n] of present.entries()) out.set(n, toObserved(JSON.parse(lines[i] as string) as AddrJson));
  return out;
}

/**
 * A TCP relay from a unix socket into the range: socat runs in the range namespace, listening on
 * `socketPath` and connecting to `ip:port` for each client. The control plane reaches a host's
 * service (VNC) through the socket without ever holding an address inside the range.
 */
export async function ensureTcpRelay(instance: string, socketPath: string, ip: string, port: number): Promise<void> {
  const pidFile = `${socketPath}.pid`;
  const ref = readPidfile(pidFile);
  if (ref && isAlive(ref) && existsSync(socketPath)) return;
  if (socketPath.length > 100) throw new CyrangeError('CYR_INTERNAL', `socket path too long for a unix socket: ${socketPath}`);
  const argv = ['socat', `UNIX-LISTEN:${socketPath},fork,unlink-early,mode=600`, `TCP:${ip}:${port},connect-timeout=5`];
  writePidfile(pidFile, spawnDetached(inNetns(rangeNetns(instance), argv), { logFile: `${socketPath}.log` }));
  if (!(await waitFor(() => existsSync(socketPath), { timeoutMs: 2000 })))
    throw new CyrangeError('CYR_RUNTIME', `the relay to ${ip}:${port} did not start (see ${socketPath}.log)`);
}
