import type { Generated } from 'kysely';

// Table types for Kysely: the store's schema after every migration.

/** `ranges`: one range instance (deployed or planned), with its blueprint source and its resolved document, the truth the other range rows are derived from. */
export interface RangesTable {
  id: Generated<number>;
  instance: string;
  blueprint_name: string;
  blueprint_source: string;
  resolved_json: string;
  kind: string;
  status: string;
  owner: string | null;
  created_at: string;
  updated_at: string;
}

/** `networks`: one network of a range; UNIQUE(range_id, name). */
export interface NetworksTable {
  id: Generated<number>;
  range_id: number;
  name: string;
  subnet: string;
  gateway: string;
  egress: string;
  dhcp_json: string | null;
  bridge: string;
  /** JSON array of reserved addresses (`a` or `a-b`), or null (migration 0005). */
  reserved_json: string | null;
}

/** `hosts`: one host of a range; UNIQUE(range_id, name). Its NICs are `vm_networks` rows. Derived from `ranges.resolved_json`. */
export interface HostsTable {
  id: Generated<number>;
  range_id: number;
  name: string;
  runtime: string;
  mode: string;
  /** Deprecated: the primary network, derived for old readers. */
  network_id: number | null;
  /** Deprecated: the primary address, derived for old readers. */
  ip_address: string | null;
}

/** `vm_networks`: one NIC (host on network) with its lease; UNIQUE(host, network), UNIQUE(network, ip), one primary per host. */
export interface VmNetworksTable {
  id: Generated<number>;
  host_id: number;
  network_id: number;
  ip_address: string | null;
  mac: string;
  ifname: string;
  peer: string;
  addressing: string;
  is_primary: number;
  position: number;
  created_at: string;
}

/** `uplinks`: a range's slot in the NAT uplink pool; both columns unique. */
export interface UplinksTable {
  range_id: number;
  slot: number;
}

/** `schema_migrations`: the migrations applied, by name. */
export interface MigrationsTable {
  name: string;
  applied_at: string;
}

/** `users`: API users with a role and an optional password hash. */
export interface UsersTable {
  id: Generated<number>;
  name: string;
  role: string;
  password_hash: string | null;
  created_at: string;
}

/** `tokens`: API tokens, stored as hashes only. */
export interface TokensTable {
  id: Generated<number>;
  user_id: number;
  token_hash: string;
  label: string;
  created_at: string;
  /** `api` (every route the role allows) or `metrics` (only /metrics); migration 0006. */
  scope: Generated<string>;
  /** When the token stops working (ISO time), or null for never; migration 0006. */
  expires_at: string | null;
}

/** `blueprints`: blueprint texts kept as written, with an owner. */
export interface BlueprintsTable {
  id: Generated<number>;
  name: string;
  source: string;
  owner: string;
  created_at: string;
  updated_at: string;
}

/** `range_assignments`: which users (students) may reach which range. */
export interface RangeAssignmentsTable {
  range_id: number;
  user_id: number;
}

/** `pools`: identical copies of one blueprint (migration 0008). */
export interface PoolsTable {
  name: string;
  owner: string | null;
  source: string;
  student_reset: Generated<number>;
  created_at: string;
  /** The range and snapshot every copy starts from (migration 0011), or null. */
  golden_instance: string | null;
  golden_snapshot: string | null;
}

/** `pool_members`: one copy of a pool; UNIQUE(instance), UNIQUE(pool, position). */
export interface PoolMembersTable {
  pool: string;
  instance: string;
  position: number;
  student: string | null;
}

/** `jobs`: background jobs with the server process running them (migration 0009). */
export interface JobsTable {
  id: string;
  op: string;
  instance: string;
  owner: string;
  status: string;
  result_json: string | null;
  error_json: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  server_pid: number | null;
  server_start: string | null;
  reconcile_job: string | null;
}

/** `job_events`: a job's progress events in order. */
export interface JobEventsTable {
  job_id: string;
  seq: number;
  event_json: string;
}

/** The whole database, for typed queries. */
export interface DB {
  users: UsersTable;
  tokens: TokensTable;
  blueprints: BlueprintsTable;
  range_assignments: RangeAssignmentsTable;
  ranges: RangesTable;
  networks: NetworksTable;
  hosts: HostsTable;
  vm_networks: VmNetworksTable;
  uplinks: UplinksTable;
  schema_migrations: MigrationsTable;
  pools: PoolsTable;
  pool_members: PoolMembersTable;
  jobs: JobsTable;
  job_events: JobEventsTable;
}
