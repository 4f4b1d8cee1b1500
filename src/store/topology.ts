// The rows derived from a resolved range: networks, hosts and their NICs (vm_networks).
import type { Selectable } from 'kysely';
import { type Addressing, CyrangeError, type ResolvedRange } from '../model/index.js';
import { type Db, all, exec, insertId, isUniqueViolation, nowIso } from './db.js';
import type { VmNetworksTable } from './schema.js';

/** A `vm_networks` row. */
type VmNetworkRow = Selectable<VmNetworksTable>;

/** One NIC of a range, with the host and network names joined in. */
export interface InterfaceRow {
  readonly host: string;
  /** The network's name. */
  readonly network: string;
  readonly subnet: string;
  readonly ip_address: string | null;
  readonly mac: string;
  readonly ifname: string;
  readonly peer: string;
  readonly addressing: Addressing;
  readonly is_primary: boolean;
  /** Order on the host, 0 for the first NIC. */
  readonly position: number;
}

/** Every host with NICs has exactly one primary: the invariant each write path keeps. */
function checkPrimaries(r: ResolvedRange): void {
  for (const h of r.hosts) {
    const n = h.interfaces.filter((i) => i.primary).length;
    if (h.interfaces.length > 0 && n !== 1)
      throw new CyrangeError('CYR_CONFLICT', `host "${h.name}" must have exactly one primary interface, not ${n}`);
  }
}

type Desired = Omit<VmNetworkRow, 'id' | 'created_at'>;
const SAME_LEASE: ReadonlyArray<keyof Desired> = ['ip_address', 'is_primary'];
const SAME_REST: ReadonlyArray<keyof Desired> = ['mac', 'ifname', 'peer', 'addressing', 'position'];

/**
 * The one write path: stores `r` as the range's document (the truth) and makes its networks, hosts
 * and NIC rows (for constraints and queries) match it, inside the caller's transaction.
 */
export async function writeRange(db: Db, rangeId: number, r: ResolvedRange): Promise<void> {
  try {
    await syncTopology(db, rangeId, r);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // A lease or a name the document gives twice (or that a stray row holds).
    throw new CyrangeError('CYR_CONFLICT', `range "${r.instance}": ${(e as Error).message}`, { cause: e });
  }
  await exec(
    db
      .updateTable('ranges')
      .set({ resolved_json: JSON.stringify(r), blueprint_name: r.name, updated_at: nowIso() })
      .where('id', '=', rangeId),
  );
}

/**
 * Makes a range's networks, hosts and NIC rows match `r`, by name. Rows that stay keep their ids; rows that go are deleted before anything is
 * written, so a lease moving from one NIC to another never collides with itself.
 */
async function syncTopology(db: Db, rangeId: number, r: ResolvedRange): Promise<void> {
  checkPrimaries(r);
  const now = nowIso();
  const nets = new Map(
    (await db.selectFrom('networks').select(['id', 'name']).where('range_id', '=', rangeId).execute()).map((n) => [n.name, n.id]),
  );
  const hosts = new Map(
    (await db.selectFrom('hosts').select(['id', 'name']).where('range_id', '=', rangeId).execute()).map((h) => [h.name, h.id]),
  );
  const wantNets = new Set(r.networks.map((n) => n.name));
  const wantHosts = new Set(r.hosts.map((h) => h.name));
  const goneHosts = [...hosts].filter(([name]) => !wantHosts.has(name)).map(([, id]) => id);
  const goneNets = [...nets].filter(([name]) => !wantNets.has(name)).map(([, id]) => id);
  if (goneHosts.length) await exec(db.deleteFrom('hosts').where('id', 'in', goneHosts));
  if (goneNets.length) await exec(db.deleteFrom('networks').where('id', 'in', goneNets));

  for (const n of r.networks) {
    const row = {
      subnet: n.subnet,
      gateway: n.gateway,
      egress: n.egress,
      dhcp_json: n.dhcp ? JSON.stringify(n.dhcp) : null,
      bridge: n.bridge,
      reserved_json: n.reserved?.length ? JSON.stringify(n.reserved) : null,
    };
    const id = nets.get(n.name);
    if (id !== undefined) await exec(db.updateTable('networks').set(row).where('id', '=', id));
    else
      nets.set(
        n.name,
        await insertId(
          db
            .insertInto('networks')
            .values({ range_id: rangeId, name: n.name, ...row })
            .returning('id'),
        ),
      );
  }
  const netId = (name: string): number => {
    const id = nets.get(name);
    if (id === undefined) throw new CyrangeError('CYR_INTERNAL', `interface on unknown network "${name}"`);
    return id;
  };

  const desired = new Map<string, Desired>();
  for (const h of r.hosts) {
    const primary = h.interfaces.find((n) => n.primary);
    const row = {
      runtime: h.runtime,
      mode: h.network.mode,
      // Deprecated columns, derived for old readers.
      network_id: primary ? netId(primary.network) : null,
      ip_address: primary?.ip ?? null,
    };
    const have = hosts.get(h.name);
    if (have !== undefined) await exec(db.updateTable('hosts').set(row).where('id', '=', have));
    const id =
      have ??
      (await insertId(
        db
          .insertInto('hosts')
          .values({ range_id: rangeId, name: h.name, ...row })
          .returning('id'),
      ));
    h.interfaces.forEach((nic, position) => {
      const d: Desired = {
        host_id: id,
        network_id: netId(nic.network),
        ip_address: nic.ip,
        mac: nic.mac,
        ifname: nic.ifname,
        peer: nic.peer,
        addressing: nic.addressing,
        is_primary: nic.primary ? 1 : 0,
        position,
      };
      desired.set(`${d.host_id}:${d.network_id}`, d);
    });
  }

  const existing = await all(
    db.selectFrom('vm_networks as v').innerJoin('hosts as h', 'h.id', 'v.host_id').selectAll('v').where('h.range_id', '=', rangeId),
  );
  const kept = new Map<string, VmNetworkRow>();
  const drop: number[] = [];
  for (const v of existing) {
    const key = `${v.host_id}:${v.network_id}`;
    const d = desired.get(key);
    if (d && SAME_LEASE.every((f) => d[f] === v[f])) kept.set(key, v);
    else drop.push(v.id);
  }
  if (drop.length) await exec(db.deleteFrom('vm_networks').where('id', 'in', drop));
  for (const [key, d] of desired) {
    const v = kept.get(key);
    if (!v) await exec(db.insertInto('vm_networks').values({ ...d, created_at: now }));
    else if (!SAME_REST.every((f) => d[f] === v[f]))
      await exec(
        db
          .updateTable('vm_networks')
          .set({ mac: d.mac, ifname: d.ifname, peer: d.peer, addressing: d.addressing, position: d.position })
          .where('id', '=', v.id),
      );
  }
}

/** Every NIC of an instance: hosts in creation order, each host's NICs in position order (primary first). */
export async function listInterfaces(db: Db, instance: string): Promise<InterfaceRow[]> {
  const rows = await all(
    db
      .selectFrom('vm_networks as v')
      .innerJoin('hosts as h', 'h.id', 'v.host_id')
      .innerJoin('networks as n', 'n.id', 'v.network_id')
      .innerJoin('ranges as r', 'r.id', 'h.range_id')
      .select([
        'h.name as host',
        'n.name as network',
        'n.subnet',
        'v.ip_address',
        'v.mac',
        'v.ifname',
        'v.peer',
        'v.addressing',
        'v.is_primary',
        'v.position',
      ])
      .where('r.instance', '=', instance)
      .orderBy('h.id')
      .orderBy('v.position'),
  );
  return rows.map((r) => ({ ...r, addressing: r.addressing as Addressing, is_primary: r.is_primary === 1 }));
}
