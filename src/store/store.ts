// The Store facade: one connection, migrated on open, and the repositories over it.
import type { ResolvedInterface } from '../model/index.js';
import { type SqliteConnection, type StoreLocation, openConnection } from './db.js';
import { type NewInterface, addInterfaceEdit, releaseHostEdit, removeInterfaceEdit } from './leases.js';
import { migrate } from './migrations.js';
import * as ranges from './ranges-repo.js';
import type { NewRange, RangeChange, RangeRecord, RangeStatus } from './ranges-repo.js';
import { type InterfaceRow, listInterfaces } from './topology.js';
import { allocateUplinkSlot, uplinkSlotOf } from './uplinks.js';
import { PoolsRepo } from './pools.js';
import { AccessRepo } from './users.js';

/**
 * The single source of truth for ranges, networks, hosts, NICs, leases and users (SQLite).
 * Every method is synchronous; each write is one transaction.
 */
export class Store {
  /** The open connection; for tests and migrations, not for other layers. */
  readonly conn: SqliteConnection;
  /** Users, tokens, blueprints and assignments. */
  readonly access: AccessRepo;
  /** Pools of identical ranges. */
  readonly pools: PoolsRepo;

  /** Wraps an open connection and applies pending migrations. */
  constructor(conn: SqliteConnection) {
    this.conn = conn;
    migrate(conn);
    this.access = new AccessRepo(conn);
    this.pools = new PoolsRepo(conn);
  }

  /** Closes the database. */
  close(): void {
    this.conn.close();
  }

  /** A stored instance, or null. */
  getRange(instance: string): RangeRecord | null {
    return ranges.getRange(this.conn, instance);
  }

  /** Every stored instance, oldest first. */
  listRanges(): RangeRecord[] {
    return ranges.listRanges(this.conn);
  }

  /** Records a resolved range with its networks, hosts and NICs, all or nothing; a taken instance name is CYR_EXISTS. */
  createRange(input: NewRange): RangeRecord {
    return ranges.createRange(this.conn, input);
  }

  /** Sets an instance's status; an instance that is not stored is left alone (rollback paths call this late). */
  setRangeStatus(instance: string, status: RangeStatus): void {
    ranges.setRangeStatus(this.conn, instance, status);
  }

  /**
   * The one write path of a range: `change` is a pure edit of the latest stored range, run in one
   * immediate transaction; its range is checked and stored, and the rows are rewritten from it.
   */
  updateRange<T>(instance: string, change: RangeChange<T>): T {
    return ranges.updateRange(this.conn, instance, change);
  }

  /** Forgets an instance; its networks, hosts, NICs, leases and uplink slot go with it. */
  deleteRange(instance: string): void {
    ranges.deleteRange(this.conn, instance);
  }

  /** Every NIC of an instance with host and network names, hosts in order, primary first. */
  listInterfaces(instance: string): InterfaceRow[] {
    return listInterfaces(this.conn, instance);
  }

  /** Adds a NIC to a host and leases its address (the lowest free one when none is given): addInterfaceEdit through updateRange. */
  addInterface(instance: string, host: string, network: string, nic?: string | null | NewInterface): ResolvedInterface {
    return this.updateRange(instance, (r) => addInterfaceEdit(r, host, network, nic));
  }

  /** Removes a host's NIC and frees its lease; the primary is refused with CYR_CONFLICT. */
  removeInterface(instance: string, host: string, network: string): ResolvedInterface {
    return this.updateRange(instance, (r) => removeInterfaceEdit(r, host, network));
  }

  /** Removes every NIC of a host (it moves to vsock mode) and frees their leases. */
  releaseHostInterfaces(instance: string, host: string): ResolvedInterface[] {
    return this.updateRange(instance, (r) => releaseHostEdit(r, host));
  }

  /** The range's uplink slot: the one it holds, or the lowest free one. */
  allocateUplinkSlot(rangeId: number): number {
    return allocateUplinkSlot(this.conn, rangeId);
  }

  /** The range's uplink slot, or null. */
  uplinkSlotOf(rangeId: number): number | null {
    return uplinkSlotOf(this.conn, rangeId);
  }
}

/**
 * Opens the store, creating and migrating the database when needed: `{ stateDir }` (default
 * `CYRANGE_STATE_DIR`, else `/var/lib/cyrange`; file `cyrange.db`), `{ path }` or `{ path: ':memory:' }`.
 */
export function openStore(loc: StoreLocation = {}): Store {
  const conn = openConnection(loc);
  try {
    return new Store(conn);
  } catch (e) {
    conn.close();
    throw e;
  }
}
