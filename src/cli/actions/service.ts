import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cliEntry, configFromEnv } from '../../engine/index.js';
import { ENV_FILE } from '../commands/service.js';
import { openEngine } from '../context.js';

/** What the unit runs and with which settings. */
export interface UnitOptions {
  /** The node binary. */
  readonly node: string;
  /** The CLI entry point (dist/cli/main.js). */
  readonly main: string;
  readonly host: string;
  readonly port: number;
  /** Order after docker.service (and want it): some range has docker hosts. */
  readonly docker: boolean;
  /** Environment for serve, CYRANGE_STATE_DIR included. */
  readonly env: Readonly<Record<string, string>>;
}

/** Settings that are secrets: they go in ENV_FILE, never into a world-readable unit. */
const SECRET = /TOKEN|PASSWORD|SECRET|DATABASE_URL|KEY/;

/** A word of a systemd unit line, quoted and escaped (specifiers `%`, backslashes, quotes). */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
}

/**
 * The systemd unit that runs `cyrange serve` at boot, pure. `KillMode=process`: stopping or
 * restarting the server must not kill the ranges it started (DHCP and metadata servers, hosts),
 * which live on in its control group; a restart reconciles them.
 */
export function renderServiceUnit(o: UnitOptions): string {
  const after = ['network-online.target', ...(o.docker ? ['docker.service'] : [])].join(' ');
  const wants = ['network-online.target', ...(o.docker ? ['docker.service'] : [])].join(' ');
  const env = Object.entries(o.env)
    .filter(([k]) => !SECRET.test(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `Environment=${quote(`${k}=${v}`)}`);
  return [
    '[Unit]',
    'Description=Cyrange cyber ranges: API, web UI, and every stored range reconciled at start',
    `Wants=${wants}`,
    `After=${after}`,
    '',
    '[Service]',
    'Type=simple',
    ...env,
    `EnvironmentFile=-${ENV_FILE}`,
    `ExecStart=${[o.node, o.main, 'serve', '--host', o.host, '--port', String(o.port)].map(quote).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=2',
    'KillMode=process',
    'TimeoutStopSec=30',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The CYRANGE_* settings of this environment that a server needs the same (non-secret ones; the state directory always). */
function settingsFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('CYRANGE_') && v !== undefined && v !== '') out[k] = v;
  out.CYRANGE_STATE_DIR = resolve(configFromEnv(env).stateDir);
  // Test hooks and per-shell switches, not settings of a server.
  for (const k of Object.keys(out)) if (k.startsWith('CYRANGE_TEST_') || k === 'CYRANGE_DEBUG') delete out[k];
  return out;
}

/** What `service install` takes. */
export interface InstallOptions {
  dryRun?: boolean;
  path: string;
  host: string;
  port: string;
  docker?: boolean;
}

/** `service install`: writes (or with --dry-run prints) the unit. */
export async function install(o: InstallOptions): Promise<void> {
  const ctx = await openEngine();
  let docker: boolean;
  try {
    docker = o.docker === true || (await ctx.engine.list()).some((r) => r.resolved.hosts.some((h) => h.runtime === 'docker'));
  } finally {
    await ctx.close();
  }
  const unit = renderServiceUnit({
    node: process.execPath,
    main: cliEntry(),
    host: o.host,
    port: Number(o.port),
    docker,
    env: settingsFrom(process.env),
  });
  if (o.dryRun) {
    process.stdout.write(unit);
    return;
  }
  mkdirSync(dirname(o.path), { recursive: true });
  writeFileSync(o.path, unit, { mode: 0o644 });
  process.stdout.write(
    `wrote ${o.path}\nenable it: systemctl daemon-reload && systemctl enable --now ${o.path.replace(/^.*\//, '')}\nsecrets (CYRANGE_ADMIN_TOKEN): ${ENV_FILE}, mode 0600\n`,
  );
}
