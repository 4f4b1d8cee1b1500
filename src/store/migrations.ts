import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import { CyrangeError } from '../model/index.js';
import { type Backend, type Dialect, nowIso, transaction } from './db.js';
import type { DB } from './schema.js';

/** One versioned schema change, applied once and recorded in `schema_migrations`; the same on SQLite and PostgreSQL. */
export interface Migration {
  readonly name: string;
  readonly up: (db: Kysely<DB>, dialect: Dialect) => Promise<void>;
}

/** An auto-numbered integer primary key: AUTOINCREMENT on SQLite, an identity column on PostgreSQL. */
function idColumn<T extends string>(t: CreateTableBuilder<T, never>, dialect: Dialect): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? t.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().generatedByDefaultAsIdentity())
    : t.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}

/** Runs one statement of raw SQL text (the same on both dialects). */
async function exec(db: Kysely<DB>, text: string): Promise<void> {
  await sql.raw(text).execute(db);
}

/** Every migration in order. Names sort in apply order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    // The first schema: one network and one address per host, as older Cyrange-style stores had.
    name: '0001_initial',
    up: async (db, dialect) => {
      await idColumn(db.schema.createTable('ranges'), dialect)
        .addColumn('instance', 'text', (c) => c.notNull().unique())
        .addColumn('blueprint_name', 'text', (c) => c.notNull())
        .addColumn('blueprint_source', 'text', (c) => c.notNull())
        .addColumn('resolved_json', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('range'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await idColumn(db.schema.createTable('networks'), dialect)
        .addColumn('range_id', 'integer', (c) => c.notNull().references('ranges.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('subnet', 'text', (c) => c.notNull())
        .addColumn('gateway', 'text', (c) => c.notNull())
        .addColumn('egress', 'text', (c) => c.notNull().defaultTo('none'))
        .addColumn('dhcp_json', 'text')
        .addColumn('bridge', 'text', (c) => c.notNull())
        .addUniqueConstraint('networks_range_name', ['range_id', 'name'])
        .execute();
      await idColumn(db.schema.createTable('hosts'), dialect)
        .addColumn('range_id', 'integer', (c) => c.notNull().references('ranges.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('runtime', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('spec_json', 'text', (c) => c.notNull())
        .addColumn('network_id', 'integer', (c) => c.references('networks.id').onDelete('set null'))
        .addColumn('ip_address', 'text')
        .addUniqueConstraint('hosts_range_name', ['range_id', 'name'])
        .execute();
    },
  },
  {
    // Multi-NIC: a vm_networks junction; every legacy host gets its one interface as the primary.
    name: '0002_vm_networks',
    up: async (db, dialect) => {
      await idColumn(db.schema.createTable('vm_networks'), dialect)
        .addColumn('host_id', 'integer', (c) => c.notNull().references('hosts.id').onDelete('cascade'))
        .addColumn('network_id', 'integer', (c) => c.notNull().references('networks.id').onDelete('cascade'))
        .addColumn('ip_address', 'text')
        .addColumn('mac', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('ifname', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('peer', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('addressing', 'text', (c) => c.notNull().defaultTo('static'))
        .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('vm_networks_host_network', ['host_id', 'network_id'])
        .addUniqueConstraint('vm_networks_network_ip', ['network_id', 'ip_address'])
        .execute();
      // At most one primary per host; the code makes it exactly one.
      await exec(db, 'CREATE UNIQUE INDEX vm_networks_one_primary ON vm_networks(host_id) WHERE is_primary = 1');
      await sql`INSERT INTO vm_networks (host_id, network_id, ip_address, ifname, addressing, is_primary, position, created_at)
        SELECT id, network_id, ip_address, 'eth0', CASE WHEN ip_address IS NULL THEN 'dhcp' ELSE 'static' END, 1, 0, ${nowIso()}
        FROM hosts WHERE network_id IS NOT NULL`.execute(db);
    },
  },
  {
    // One /30 slot per range with NAT egress, out of the uplink pool.
    name: '0003_uplinks',
    up: async (db) => {
      await db.schema
        .createTable('uplinks')
        .addColumn('range_id', 'integer', (c) => c.notNull().unique().references('ranges.id').onDelete('cascade'))
        .addColumn('slot', 'integer', (c) => c.notNull().unique())
        .execute();
    },
  },
  {
    // Access control: users with hashed tokens, blueprints with owners, ranges assigned to students.
    name: '0004_users_blueprints',
    up: async (db, dialect) => {
      await idColumn(db.schema.createTable('users'), dialect)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await idColumn(db.schema.createTable('tokens'), dialect)
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await idColumn(db.schema.createTable('blueprints'), dialect)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('range_assignments')
        .addColumn('range_id', 'integer', (c) => c.notNull().references('ranges.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('range_assignments_pk', ['range_id', 'user_id'])
        .execute();
    },
  },
  {
    // Networks keep their reserved ranges as rows, so leases are allocated from the tables alone.
    name: '0005_network_reserved',
    up: async (db) => {
      await db.schema.alterTable('networks').addColumn('reserved_json', 'text').execute();
      const ranges = await rows<{ id: number; resolved_json: string }>(db, sql`SELECT id, resolved_json FROM ranges`);
      for (const r of ranges) {
        for (const n of reservedOf(r.resolved_json))
          await sql`UPDATE networks SET reserved_json = ${JSON.stringify(n.reserved)} WHERE range_id = ${r.id} AND name = ${n.name}`.execute(
            db,
          );
      }
    },
  },
  {
    // Tokens get a scope (`api`, or `metrics` for a scraper) and an expiry; existing tokens stay `api` and never expire.
    name: '0006_token_scope_expiry',
    up: async (db) => {
      await db.schema
        .alterTable('tokens')
        .addColumn('scope', 'text', (c) => c.notNull().defaultTo('api'))
        .execute();
      await db.schema.alterTable('tokens').addColumn('expires_at', 'text').execute();
      await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();
    },
  },
  {
    // Pools: identical copies of one blueprint, one per student; a copy is an ordinary range listed here.
    name: '0008_pools',
    up: async (db) => {
      await exec(
        db,
        `CREATE TABLE pools (
        name TEXT PRIMARY KEY,
        owner TEXT,
        source TEXT NOT NULL,
        student_reset INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL)`,
      );
      await exec(
        db,
        `CREATE TABLE pool_members (
        pool TEXT NOT NULL REFERENCES pools(name) ON DELETE CASCADE,
        instance TEXT NOT NULL UNIQUE,
        position INTEGER NOT NULL,
        student TEXT,
        UNIQUE (pool, position))`,
      );
    },
  },
  {
    // Jobs outlive the server: each job with the server process that runs it, and its progress events.
    name: '0009_jobs',
    up: async (db) => {
      await exec(
        db,
        `CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        op TEXT NOT NULL,
        instance TEXT NOT NULL,
        owner TEXT NOT NULL,
        status TEXT NOT NULL,
        result_json TEXT,
        error_json TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        duration_ms INTEGER,
        server_pid INTEGER,
        server_start TEXT,
        reconcile_job TEXT)`,
      );
      await exec(db, 'CREATE INDEX jobs_status ON jobs(status)');
      await exec(db, 'CREATE INDEX jobs_started ON jobs(started_at)');
      await exec(
        db,
        `CREATE TABLE job_events (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        event_json TEXT NOT NULL,
        PRIMARY KEY (job_id, seq))`,
      );
    },
  },
  {
    // One truth: each range's document is rebuilt from its rows (the leases were taken from them)
    // plus what only the JSON held, and stored; the rows are derived from it from now on.
    name: '0010_one_truth',
    up: async (db) => {
      const ranges = await rows<LegacyRange>(db, sql`SELECT id, instance, blueprint_name, resolved_json FROM ranges`);
      for (const r of ranges) {
        const doc = JSON.stringify(await documentOf(db, r));
        await sql`UPDATE ranges SET resolved_json = ${doc} WHERE id = ${r.id}`.execute(db);
      }
      await exec(db, 'ALTER TABLE hosts DROP COLUMN spec_json');
      // The deprecated columns, derived from the primary NIC.
      await exec(
        db,
        `UPDATE hosts SET
        network_id = (SELECT v.network_id FROM vm_networks v WHERE v.host_id = hosts.id AND v.is_primary = 1),
        ip_address = (SELECT v.ip_address FROM vm_networks v WHERE v.host_id = hosts.id AND v.is_primary = 1)`,
      );
    },
  },
  {
    // A pool started from a snapshot remembers it, so copies added later start from it too.
    name: '0011_pool_golden',
    up: async (db) => {
      await exec(db, 'ALTER TABLE pools ADD COLUMN golden_instance TEXT');
      await exec(db, 'ALTER TABLE pools ADD COLUMN golden_snapshot TEXT');
    },
  },
];

interface LegacyRange {
  id: number;
  instance: string;
  blueprint_name: string;
  resolved_json: string;
}

function parseOr<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return (JSON.parse(text) as T | null) ?? fallback;
  } catch {
    return fallback;
  }
}

/**
 * A range as its rows describe it (networks, hosts, every NIC and lease), with what the rows never
 * held taken from the stored JSON: descriptions, routes, policies, DNS, host bridges, rate limits.
 * The rows win where both speak, as the lease code read them until 0010.
 */
async function documentOf(db: Kysely<DB>, r: LegacyRange): Promise<Record<string, unknown>> {
  type J = Record<string, unknown>;
  const json = parseOr<J>(r.resolved_json, {});
  const jnets = Array.isArray(json.networks) ? (json.networks as J[]) : [];
  const jhosts = Array.isArray(json.hosts) ? (json.hosts as J[]) : [];
  const nets = await rows<J & { id: number; name: string; subnet: string }>(
    db,
    sql`SELECT * FROM networks WHERE range_id = ${r.id} ORDER BY id`,
  );
  const hosts = await rows<J & { id: number; name: string }>(db, sql`SELECT * FROM hosts WHERE range_id = ${r.id} ORDER BY id`);
  const nics = await rows<J>(
    db,
    sql`SELECT v.* FROM vm_networks v JOIN hosts h ON h.id = v.host_id WHERE h.range_id = ${r.id} ORDER BY v.host_id, v.position`,
  );
  const networks = nets.map((n) => {
    const j = jnets.find((x) => x.name === n.name) ?? {};
    return {
      name: n.name,
      subnet: n.subnet,
      prefix: Number(n.subnet.split('/')[1]),
      gateway: n.gateway,
      egress: n.egress,
      hostBridge: j.hostBridge ?? null,
      dhcp: parseOr(n.dhcp_json as string | null, null),
      dns: j.dns ?? [],
      reserved: 'reserved' in j ? j.reserved : parseOr<string[]>(n.reserved_json as string | null, []),
      bridge: n.bridge,
    };
  });
  const out = hosts.map((h) => {
    const j = jhosts.find((x) => x.name === h.name) ?? {};
    const spec = { ...j, ...parseOr<J>(h.spec_json as string | null, {}) };
    const jnics = Array.isArray(j.interfaces) ? (j.interfaces as J[]) : [];
    const interfaces = nics
      .filter((v) => v.host_id === h.id)
      .map((v) => {
        const net = nets.find((n) => n.id === v.network_id) as (typeof nets)[number];
        return {
          network: net.name,
          ip: v.ip_address,
          prefix: Number(net.subnet.split('/')[1]),
          gateway: net.gateway,
          addressing: v.addressing,
          mac: v.mac,
          primary: v.is_primary === 1,
          ifname: v.ifname,
          peer: v.peer,
          rateLimit: jnics.find((x) => x.network === net.name)?.rateLimit ?? null,
        };
      });
    return {
      plugin: null,
      image: null,
      command: null,
      env: {},
      resources: { memoryBytes: null, cpus: null },
      ipForward: false,
      hidden: false,
      vncPort: null,
      ...spec,
      name: h.name,
      runtime: h.runtime,
      network: { ...(spec.network as J | undefined), mode: h.mode },
      interfaces,
    };
  });
  return {
    ...json,
    name: r.blueprint_name,
    instance: r.instance,
    description: json.description ?? null,
    networks,
    routes: json.routes ?? [],
    policies: json.policies ?? [],
    hosts: out,
  };
}

/** The networks of a stored resolved range that carry reserved addresses; nothing for text that is not one. */
function reservedOf(resolvedJson: string): Array<{ name: string; reserved: string[] }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(resolvedJson);
  } catch {
    return [];
  }
  const nets = (parsed as { networks?: unknown } | null)?.networks;
  if (!Array.isArray(nets)) return [];
  return nets.flatMap((n: { name?: unknown; reserved?: unknown }) =>
    typeof n?.name === 'string' && Array.isArray(n.reserved) && n.reserved.length > 0
      ? [{ name: n.name, reserved: n.reserved.filter((x): x is string => typeof x === 'string') }]
      : [],
  );
}

/** The rows of a raw query. */
async function rows<R>(db: Kysely<DB>, q: RawBuilder<unknown>): Promise<R[]> {
  return (await q.execute(db)).rows as R[];
}

/** Serializes migrating processes on PostgreSQL (SQLite's IMMEDIATE transaction already does). */
async function migrationLock(db: Kysely<DB>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(7263540)`.execute(db);
}

/**
 * Applies pending migrations up to and including `target` (all when left out), each in its own
 * transaction (IMMEDIATE on SQLite, under an advisory lock on PostgreSQL); returns the names
 * applied. An unknown `target` is refused before anything runs.
 */
export async function migrate(b: Backend, target?: string): Promise<string[]> {
  if (target !== undefined && !MIGRATIONS.some((m) => m.name === target))
    throw new CyrangeError('CYR_INTERNAL', `unknown migration "${target}" (known: ${MIGRATIONS.map((m) => m.name).join(', ')})`);
  await transaction(b, async (trx) => {
    await migrationLock(trx, b.dialect);
    await exec(trx, 'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  });
  const applied: string[] = [];
  for (const m of MIGRATIONS) {
    // Checked inside the write transaction: two processes opening a new store race here.
    await transaction(b, async (trx) => {
      await migrationLock(trx, b.dialect);
      if ((await rows(trx, sql`SELECT 1 FROM schema_migrations WHERE name = ${m.name}`)).length > 0) return;
      await m.up(trx, b.dialect);
      await sql`INSERT INTO schema_migrations (name, applied_at) VALUES (${m.name}, ${nowIso()})`.execute(trx);
      applied.push(m.name);
    });
    if (m.name === target) break;
  }
  return applied;
}
