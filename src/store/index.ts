/** The single source of truth: ranges, networks, hosts, NICs, leases and users in SQLite or PostgreSQL. Other layers import only this file. */
export { Store, openStore } from './store.js';
export type { RangeRecord, RangeStatus, RangeKind, NewRange, RangeChange } from './ranges-repo.js';
export type { InterfaceRow } from './topology.js';
export type { NewInterface } from './leases.js';
export { MIGRATIONS, migrate, type Migration } from './migrations.js';
export { DB_FILE, defaultStateDir, databasePath, databaseUrl, retryStats, type Dialect, type PgLocking, type StoreLocation } from './db.js';
export {
  AccessRepo,
  ROLES,
  TOKEN_SCOPES,
  type Role,
  type User,
  type BlueprintRecord,
  type TokenRecord,
  type TokenScope,
} from './users.js';
export {
  bootstrapAdmin,
  checkPassword,
  createUserWithToken,
  hashPassword,
  hashToken,
  issueToken,
  newToken,
  type TokenOptions,
} from './tokens.js';
export { PoolsRepo, type PoolRecord, type PoolMember, type PoolGolden } from './pools.js';
export { JOBS_KEPT, JobsRepo, type JobRecord, type JobStatus, type NewJob } from './jobs.js';
