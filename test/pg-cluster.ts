// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, listening only on a unix socket
// in that dir on a random port, stopped by its postmaster's PID. initdb refuses root, so as root
// the server runs as the `postgres` system user (Debian's package makes it).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = process.env.CYRANGE_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A running cluster: the superuser URL of its `postgres` database, and how to stop it. */
export interface PgCluster {
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** A URL for database `db` on this cluster, optionally with a search_path. */
  urlFor(db: string, schema?: string): string;
  /** Creates an empty database. */
  createDatabase(db: string): void;
  /** Stops the server by its PID and removes its files. */
  stop(): void;
}

function runAs(argv: readonly string[]): string {
  const [cmd, ...args] = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...argv] : argv;
  return execFileSync(cmd as string, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString();
}

function ids(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres system user: run scripts/setup.sh (it installs Debian postgresql)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Starts a cluster; throws with the server log when it does not come up. */
export function startCluster(): PgCluster {
  if (!existsSync(join(BIN, 'initdb'))) throw new Error(`no ${BIN}/initdb: run scripts/setup.sh (Debian postgresql)`);
  const dir = mkdtempSync(join(tmpdir(), 'cyrange-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  const owner = ids();
  if (owner) for (const p of [dir, sock]) chownSync(p, owner.uid, owner.gid);
  runAs([join(BIN, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync']);
  // Test data only: no fsync, no listening on TCP.
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    `listen_addresses = ''\nunix_socket_directories = '${sock}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n`,
  );
  if (owner) chownSync(join(data, 'postgresql.auto.conf'), owner.uid, owner.gid);
  const port = 20000 + Math.floor(Math.random() * 30000);
  const log = join(dir, 'server.log');
  try {
    runAs([join(BIN, 'pg_ctl'), '-D', data, '-l', log, '-o', `-p ${port}`, '-w', '-t', '60', 'start']);
  } catch (e) {
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`postgres did not start: ${(e as Error).message}\n${text}`);
  }
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const urlFor = (db: string, schema?: string) =>
    `postgres://postgres@localhost/${db}?host=${encodeURIComponent(sock)}&port=${port}` +
    (schema ? `&options=${encodeURIComponent(`-c search_path=${schema}`)}` : '');
  return {
    url: urlFor('postgres'),
    dir,
    pid,
    urlFor,
    createDatabase(db: string) {
      execFileSync(join(BIN, 'psql'), [urlFor('postgres'), '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${db}`], {
        stdio: 'pipe',
      });
    },
    stop() {
      try {
        process.kill(pid, 'SIGINT'); // fast shutdown: roll back open sessions
      } catch {}
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
