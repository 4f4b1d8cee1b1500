// The Store facade: one database (SQLite or PostgreSQL), migrated on open, and the repositories over it.
import { CyrangeError, type ResolvedInterface } from '../model/index.js';
import { type Backend, type Db, type Dialect, type PgLocking, type StoreLocation, databaseUrl, openPostgres, openSqlite } from './db.js';
import { JobsRepo } from './jobs.js';
import { type NewInterface, addInterfaceEdit, releaseHostEdit, removeInterfaceEdit } from './leases.js';
import { migrate } from './migrations.js';
import { PoolsRepo } from './pools.js';
import * as ranges from './ranges-repo.js';
import type { NewRange, RangeChange, RangeRecord, RangeStatus } from './ranges-repo.js';
import { type InterfaceRow, listInterfaces } from './topology.js';
import { allocateUplinkSlot, uplinkSlotOf } from './uplinks.js';
import { AccessRepo } from './users.js';

/**
 * The single source of truth for ranges, networks, hosts, NICs, leases and users, in SQLite or
 * PostgreSQL. Every method is async; each write is one transaction.
 */
export class Store {
  /** The database (Kysely); for tests and migrations, not for other layers. */
  readonly db: Db;
  /** Which engine holds the store. */
  readonly dialect: Dialect;
  /** Users, tokens, blueprints and assignments. */
  readonly access: AccessRepo;
  /** Pools of identical ranges. */
  readonly pools: PoolsRepo;
  /** Background jobs and their events. */
  readonly jobs: JobsRepo;
  private readonly backend: Backend;
  private readonly locking: PgLocking;

  /** Wraps an open, migrated database; see openStore. */
  constructor(backend: Backend, locking: PgLocking = 'lock') {
    this.backend = backend;
    this.db = backend.db;
    this.dialect = backend.dialect;
    this.locking = locking;
    this.access = new AccessRepo(backend.db);
    this.pools = new PoolsRepo(backend);
    this.jobs = new JobsRepo(backend.db);
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.db.destroy();
  }

  /** A stored instance, or null. */
  getRange(instance: string): Promise<RangeRecord | null> {
    return ranges.getRange(this.db, instance);
  }

  /** Every stored instance, oldest first. */
  listRanges(): Promise<RangeRecord[]> {
    return ranges.listRanges(this.db);
  }

  /** Records a resolved range with its networks, hosts and NICs, all or nothing; a taken instance name is CYR_EXISTS. */
  createRange(input: NewRange): Promise<RangeRecord> {
    return ranges.createRange(this.backend, input);
  }

  /** Sets an instance's status; an instance that is not stored is left alone (rollback paths call this late). */
  async setRangeStatus(instance: string, status: RangeStatus): Promise<void> {
    await ranges.setRangeStatus(this.db, instance, status);
  }

  /** Replaces the blueprint text an instance was deployed from; an instance that is not stored is left alone. */
  async setRangeSource(instance: string, source: string): Promise<void> {
    await ranges.setRangeSource(this.db, instance, source);
  }

  /**
   * The one write path of a range: `change` is a pure edit of the latest stored range, run in one
   * transaction that excludes other edits of the range; its range is checked and stored, and the
   * rows are rewritten from it.
   */
  updateRange<T>(instance: string, change: RangeChange<T>): Promise<T> {
    return ranges.updateRange(this.backend, instance, change, this.locking);
  }

  /** Forgets an instance; its networks, hosts, NICs, leases and uplink slot go with it. */
  deleteRange(instance: string): Promise<void> {
    return ranges.deleteRange(this.db, instance);
  }

  /** Every NIC of an instance with host and network names, hosts in order, primary first. */
  listInterfaces(instance: string): Promise<InterfaceRow[]> {
    return listInterfaces(this.db, instance);
  }

  /** Adds a NIC to a host and leases its address (the lowest free one when none is given): addInterfaceEdit through updateRange. */
  addInterface(instance: string, host: string, network: string, nic?: string | null | NewInterface): Promise<ResolvedInterface> {
    return this.updateRange(instance, (r) => addInterfaceEdit(r, host, network, nic));
  }

  /** Removes a host's NIC and frees its lease; the primary is refused with CYR_CONFLICT. */
  removeInterface(instance: string, host: string, network: string): Promise<ResolvedInterface> {
    return this.updateRange(instance, (r) => removeInterfaceEdit(r, host, network));
  }

  /** Removes every NIC of a host (it moves to vsock mode) and frees their leases. */
  releaseHostInterfaces(instance: string, host: string): Promise<ResolvedInterface[]> {
    return this.updateRange(instance, (r) => releaseHostEdit(r, host));
  }

  /** The range's uplink slot: the one it holds, or the lowest free one. */
  allocateUplinkSlot(rangeId: number): Promise<number> {
    return allocateUplinkSlot(this.backend, rangeId);
  }

  /** The range's uplink slot, or null. */
  uplinkSlotOf(rangeId: number): Promise<number | null> {
    return uplinkSlotOf(this.db, rangeId);
  }
}

/** Whether `e` is a failure to reach the database server at all. */
function unreachable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '28P01', '3D000'].includes(code);
}

/**
 * Opens the store, creating and migrating the database when needed: `{ url }` (PostgreSQL),
 * `{ path }` or `{ path: ':memory:' }` (SQLite), or `{ stateDir }` (default `CYRANGE_STATE_DIR`,
 * else `/var/lib/cyrange`; file `cyrange.db`) unless `CYRANGE_DATABASE_URL` selects PostgreSQL.
 */
export async function openStore(loc: StoreLocation = {}): Promise<Store> {
  const url = databaseUrl(loc);
  const backend = url ? openPostgres(url) : openSqlite(loc as { stateDir?: string } | { path: string });
  const envLocking = process.env.CYRANGE_PG_LOCKING === 'serializable' ? 'serializable' : 'lock';
  const locking = 'url' in loc && loc.locking ? loc.locking : envLocking;
  try {
    await migrate(backend);
    return new Store(backend, locking);
  } catch (e) {
    await backend.db.destroy().catch(() => {});
    if (url && unreachable(e))
      throw new CyrangeError('CYR_RUNTIME', `cannot open the PostgreSQL store: ${(e as Error).message}`, {
        hint: 'check CYRANGE_DATABASE_URL and that the server is up',
        cause: e,
      });
    throw e;
  }
}
