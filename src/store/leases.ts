// Leases: adding and removing one NIC of a stored host, its address taken from the rows.
import type { Selectable } from 'kysely';
import {
  type Addressing,
  CyrangeError,
  IFNAME_MAX,
  type NetworkMode,
  type Problem,
  type ResolvedHost,
  type ResolvedInterface,
  type ResolvedNetwork,
  type ResolvedRange,
  type RuntimeName,
  ValidationError,
  addInterfaceTo,
  MAC_PATTERN,
  hostDefaults,
} from '../model/index.js';
import { type SqliteConnection, all, exec, first, immediate, isUniqueViolation, nowIso, qb } from './db.js';
import { notFound } from './ranges-repo.js';
import type { RangesTable } from './schema.js';
import { type HostRow, type NetworkRow, type VmNetworkRow, interfaceOf } from './topology.js';

/** A NIC whose names the caller chose; without `ip` and with `auto` addressing the lowest free address is leased. */
export interface NewInterface {
  readonly ip?: string | null;
  readonly mac: string;
  readonly ifname: string;
  readonly peer: string;
  readonly addressing: Addressing;
}

/** One range's rows, read inside the lease transaction. */
interface Snapshot {
  readonly range: Selectable<RangesTable>;
  readonly json: Partial<ResolvedRange>;
  readonly nets: readonly NetworkRow[];
  readonly hosts: readonly HostRow[];
  readonly vms: readonly VmNetworkRow[];
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return (JSON.parse(text) as T | null) ?? fallback;
  } catch {
    return fallback;
  }
}

function load(conn: SqliteConnection, instance: string): Snapshot {
  const range = first(conn, qb.selectFrom('ranges').selectAll().where('instance', '=', instance));
  if (!range) throw notFound(instance);
  return {
    range,
    json: parseJson<Partial<ResolvedRange>>(range.resolved_json, {}),
    nets: all(conn, qb.selectFrom('networks').selectAll().where('range_id', '=', range.id).orderBy('id')),
    hosts: all(conn, qb.selectFrom('hosts').selectAll().where('range_id', '=', range.id).orderBy('id')),
    vms: all(
      conn,
      qb
        .selectFrom('vm_networks as v')
        .innerJoin('hosts as h', 'h.id', 'v.host_id')
        .selectAll('v')
        .where('h.range_id', '=', range.id)
        .orderBy('v.host_id')
        .orderBy('v.position'),
    ),
  };
}

function hostRow(s: Snapshot, name: string): HostRow {
  const h = s.hosts.find((x) => x.name === name);
  if (!h)
    throw new CyrangeError(
      'CYR_NOT_FOUND',
      `no host "${name}" in "${s.range.instance}" (hosts: ${s.hosts.map((x) => x.name).join(', ') || 'none'})`,
    );
  return h;
}

function nicsOf(s: Snapshot, hostId: number): ResolvedInterface[] {
  const nets = new Map(s.nets.map((n) => [n.id, n]));
  return s.vms.filter((v) => v.host_id === hostId).map((v) => interfaceOf(v, nets.get(v.network_id) as NetworkRow));
}

/**
 * The range as its rows describe it: networks with gateway, DHCP pool and reserved addresses from
 * `networks`, every NIC and lease from `vm_networks`. The model's edit rules run on this view, so
 * the allocator is seeded from the tables, not from the stored JSON.
 */
function viewOf(s: Snapshot): ResolvedRange {
  const networks = s.nets.map((n): ResolvedNetwork => {
    const j = s.json.networks?.find((x) => x.name === n.name);
    return {
      name: n.name,
      subnet: n.subnet,
      prefix: Number(n.subnet.split('/')[1]),
      gateway: n.gateway,
      egress: n.egress as ResolvedNetwork['egress'],
      hostBridge: j?.hostBridge ?? null,
      dhcp: parseJson<ResolvedNetwork['dhcp']>(n.dhcp_json, null),
      dns: j?.dns ?? [],
      reserved: parseJson<string[]>(n.reserved_json, []),
      bridge: n.bridge,
    };
  });
  const hosts = s.hosts.map((h): ResolvedHost => {
    const spec = parseJson<Partial<ResolvedHost>>(h.spec_json, {});
    return {
      ...hostDefaults(),
      ...spec,
      name: h.name,
      runtime: h.runtime as RuntimeName,
      network: { ...spec.network, mode: h.mode as NetworkMode },
      interfaces: nicsOf(s, h.id),
    };
  });
  return {
    name: s.range.blueprint_name,
    instance: s.range.instance,
    description: s.json.description ?? null,
    networks,
    routes: s.json.routes ?? [],
    policies: s.json.policies ?? [],
    hosts,
  };
}

/** The model's NIC with the caller's names, checked. */
function withGiven(nic: ResolvedInterface, given: NewInterface, host: ResolvedHost, s: Snapshot): ResolvedInterface {
  const problems: Problem[] = [];
  if (given.addressing !== nic.addressing && !(given.addressing === 'auto' && nic.addressing === 'static'))
    problems.push({
      path: 'addressing',
      message: `${given.addressing} does not fit host ${host.name} in ${host.network.mode} mode (expected ${nic.addressing})`,
    });
  if (!MAC_PATTERN.test(given.mac))
    problems.push({ path: 'mac', message: `"${given.mac}" must be a lower-case MAC like 02:00:00:00:00:01` });
  for (const field of ['ifname', 'peer'] as const) {
    const v = given[field];
    if (v.length === 0 || v.length > IFNAME_MAX) problems.push({ path: field, message: `"${v}" must be 1..${IFNAME_MAX} characters` });
  }
  if (host.interfaces.some((n) => n.ifname === given.ifname))
    problems.push({ path: 'ifname', message: `${given.ifname} is already used on host ${host.name}` });
  if (s.vms.some((v) => v.peer === given.peer))
    problems.push({ path: 'peer', message: `${given.peer} is already used in range ${s.range.instance}` });
  if (problems.length) throw new ValidationError(problems);
  return { ...nic, mac: given.mac, ifname: given.ifname, peer: given.peer, addressing: given.addressing };
}

/** Keeps the deprecated single-NIC columns and the stored JSON in step with a host's NIC rows. */
function writeHost(
  conn: SqliteConnection,
  s: Snapshot,
  host: HostRow,
  nics: readonly ResolvedInterface[],
  patch: (json: readonly ResolvedInterface[]) => ResolvedInterface[],
): void {
  const primary = nics.find((n) => n.primary);
  exec(
    conn,
    qb
      .updateTable('hosts')
      .set({
        network_id: primary ? (s.nets.find((n) => n.name === primary.network)?.id ?? null) : null,
        ip_address: primary?.ip ?? null,
      })
      .where('id', '=', host.id),
  );
  const hosts = s.json.hosts;
  const json =
    hosts?.some((h) => h.name === host.name) === true
      ? JSON.stringify({ ...s.json, hosts: hosts.map((h) => (h.name === host.name ? { ...h, interfaces: patch(h.interfaces) } : h)) })
      : s.range.resolved_json;
  exec(conn, qb.updateTable('ranges').set({ resolved_json: json, updated_at: nowIso() }).where('id', '=', s.range.id));
}

/**
 * Adds a NIC on `network` to a stored host and takes its lease, in one `BEGIN IMMEDIATE`
 * transaction: the model's rules (network exists, not on the host yet, static IP in the subnet and
 * free, no NIC in vsock mode…) run on the rows, and without an IP a bridged host gets the lowest
 * free address. `nic` is the IP (names derived as the model does) or the caller's NIC. Problems
 * are a ValidationError; the host's first NIC becomes its primary.
 */
export function addInterface(
  conn: SqliteConnection,
  instance: string,
  hostName: string,
  network: string,
  nic?: string | null | NewInterface,
): ResolvedInterface {
  return immediate(conn, () => {
    const s = load(conn, instance);
    const host = hostRow(s, hostName);
    const view = viewOf(s);
    const given = typeof nic === 'object' && nic !== null ? nic : null;
    const ip = typeof nic === 'object' ? nic?.ip : nic;
    const made = addInterfaceTo(view, hostName, network, ip).nic;
    const vh = view.hosts.find((h) => h.name === hostName) as ResolvedHost;
    const added = given ? withGiven(made, given, vh, s) : made;
    const net = s.nets.find((n) => n.name === network) as NetworkRow;
    const position = Math.max(-1, ...s.vms.filter((v) => v.host_id === host.id).map((v) => v.position)) + 1;
    try {
      exec(
        conn,
        qb.insertInto('vm_networks').values({
          host_id: host.id,
          network_id: net.id,
          ip_address: added.ip,
          mac: added.mac,
          ifname: added.ifname,
          peer: added.peer,
          addressing: added.addressing,
          is_primary: added.primary ? 1 : 0,
          position,
          created_at: nowIso(),
        }),
      );
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new CyrangeError('CYR_CONFLICT', `host "${hostName}": NIC on network ${network} collides with a stored one`, { cause: e });
    }
    writeHost(conn, s, host, [...vh.interfaces, added], (json) => [...json, added]);
    return added;
  });
}

/** Removes a host's NIC on `network` and frees its lease; the primary NIC is refused with CYR_CONFLICT. Returns the removed NIC. */
export function removeInterface(conn: SqliteConnection, instance: string, hostName: string, network: string): ResolvedInterface {
  return immediate(conn, () => {
    const s = load(conn, instance);
    const host = hostRow(s, hostName);
    const net = s.nets.find((n) => n.name === network);
    const row = net && s.vms.find((v) => v.host_id === host.id && v.network_id === net.id);
    if (!net || !row) throw new CyrangeError('CYR_NOT_FOUND', `host ${hostName} has no interface on network ${network}`);
    if (row.is_primary === 1)
      throw new CyrangeError('CYR_CONFLICT', `the primary interface of host ${hostName} (network ${network}) cannot be removed`, {
        hint: 'remove the host, or switch it to vsock mode',
      });
    exec(conn, qb.deleteFrom('vm_networks').where('id', '=', row.id));
    exec(
      conn,
      qb
        .updateTable('vm_networks')
        .set((eb) => ({ position: eb('position', '-', 1) }))
        .where('host_id', '=', host.id)
        .where('position', '>', row.position),
    );
    const nics = nicsOf(s, host.id);
    const stored = s.json.hosts?.find((h) => h.name === hostName)?.interfaces.find((n) => n.network === network);
    writeHost(
      conn,
      s,
      host,
      nics.filter((n) => n.network !== network),
      (json) => json.filter((n) => n.network !== network),
    );
    return stored ?? interfaceOf(row, net);
  });
}

/**
 * Removes every NIC of a host, primary included, and frees their leases: for a host moving to
 * vsock mode (which has no NICs; recording the new mode is the caller's). Returns the removed NICs.
 */
export function releaseHostInterfaces(conn: SqliteConnection, instance: string, hostName: string): ResolvedInterface[] {
  return immediate(conn, () => {
    const s = load(conn, instance);
    const host = hostRow(s, hostName);
    const released = nicsOf(s, host.id);
    exec(conn, qb.deleteFrom('vm_networks').where('host_id', '=', host.id));
    writeHost(conn, s, host, [], () => []);
    return released;
  });
}
