import { readFileSync } from 'node:fs';
import type { Engine, HostAction, RangeRecord } from '../../engine/index.js';
import {
  CyrangeError,
  type RawPlugin,
  type ResolvedRange,
  type StandaloneHostFlags,
  ValidationError,
  describeChange,
  isStandaloneRange,
  parseDocumentText,
  parseRawRange,
  resolveRange,
  standaloneBlueprint,
  standaloneFlagsOf,
} from '../../model/index.js';
import { openEngine } from '../context.js';
import { localActor } from '../load.js';
import { printJson, table } from '../output.js';
import { startWatcherIfNeeded } from '../watcher.js';
import { renderPlan } from './blueprint.js';

/** Flags of `vm create` and `vm set` as commander gives them. */
export type VmFlags = Record<string, string | boolean | undefined>;

function parseBool(v: string): boolean {
  if (/^(true|yes|1|on)$/i.test(v)) return true;
  if (/^(false|no|0|off)$/i.test(v)) return false;
  throw new ValidationError([{ path: '--network-auto-assign', message: `"${v}" is not true or false` }]);
}

/** The plugins of a `--plugins` file (a `plugins:` map, or the map itself), parsed within the model's size and nesting limits. */
function readPlugins(file: string): Record<string, RawPlugin> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValidationError([{ path: '', message: `cannot read plugins: ${(e as Error).message}` }], file);
  }
  const doc = parseDocumentText(text);
  if ('problems' in doc) throw new ValidationError(doc.problems, file);
  const value = doc.value as { plugins?: Record<string, RawPlugin> } | null;
  return value?.plugins ?? (value as Record<string, RawPlugin>) ?? {};
}

/** `exec INSTANCE HOST -- CMD…`: the command's exit code becomes ours. */
export async function exec(instance: string, host: string, cmd: string[]): Promise<void> {
  if (cmd[0] === '--') cmd.shift();
  const ctx = await openEngine({ signals: false });
  try {
    process.exitCode = await ctx.engine.exec(instance, host, cmd);
  } finally {
    await ctx.close();
  }
}

/** `console INSTANCE HOST`: an interactive shell, raw mode on a terminal. */
export async function openConsole(instance: string, host: string, o: { shell: string }): Promise<void> {
  const ctx = await openEngine({ signals: false });
  const raw = process.stdin.isTTY === true;
  try {
    if (raw) process.stdin.setRawMode(true);
    process.exitCode = await ctx.engine.exec(instance, host, [o.shell, '-i'], { tty: raw });
  } finally {
    if (raw) process.stdin.setRawMode(false);
    await ctx.close();
  }
}

/** `watch`: re-wires docker hosts until signalled. */
export async function watch(): Promise<void> {
  const ctx = await openEngine({ progress: true, signals: false });
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
  try {
    await ctx.engine.watchDocker(stop.signal);
  } finally {
    await ctx.close();
  }
}

/** `reset INSTANCE [HOST]`. */
export async function reset(instance: string, host: string | undefined): Promise<void> {
  const ctx = await openEngine({ progress: true });
  try {
    const t0 = performance.now();
    await ctx.engine.reset(instance, host);
    startWatcherIfNeeded(ctx.cfg, await ctx.engine.hasDockerHosts());
    process.stdout.write(`reset ${host ? `${instance}/${host}` : instance}: done in ${Math.round(performance.now() - t0)} ms\n`);
  } finally {
    await ctx.close();
  }
}

/** `host start|stop|restart|reset INSTANCE HOST`. */
export async function hostAction(action: HostAction, instance: string, host: string): Promise<void> {
  const ctx = await openEngine({ progress: true });
  try {
    await ctx.engine.host(instance, host, action);
    startWatcherIfNeeded(ctx.cfg, await ctx.engine.hasDockerHosts());
    await ctx.close();
    process.stdout.write(`${action} ${instance}/${host}: done\n`);
  } finally {
    await ctx.close();
  }
}

/** `host vsock INSTANCE HOST`. */
export async function vsock(instance: string, host: string): Promise<void> {
  const ctx = await openEngine({ progress: true });
  try {
    await ctx.engine.moveToVsock(instance, host);
    process.stdout.write(`${instance}/${host}: vsock mode, no network interfaces\n`);
  } finally {
    await ctx.close();
  }
}

/** `vm create NAME`: a standalone host from seed-style flags. */
export async function vmCreate(name: string, o: VmFlags): Promise<void> {
  const mode = (o.networkMode as string | undefined) ?? undefined;
  if (mode !== 'vsock' && o.networkSubnet === undefined && o.plugin === undefined)
    throw new ValidationError([{ path: '--network-subnet', message: `is required in ${mode ?? 'bridged'} mode` }]);
  const pluginFile = o.plugins ?? o.pluginFile;
  const raw = standaloneBlueprint({
    name,
    ...flagsOf(o),
    ...(typeof o.plugin === 'string' ? { plugin: o.plugin } : {}),
    ...(typeof pluginFile === 'string' ? { plugins: readPlugins(pluginFile) } : {}),
    ...(typeof o.runtime === 'string' ? { runtime: o.runtime } : {}),
    ...(typeof o.image === 'string' ? { image: o.image } : {}),
  });
  const range = resolveStandalone(raw);
  if (o.dryRun) {
    if (o.json) printJson(range.hosts[0]);
    else process.stdout.write(`standalone host ${name} (not created)\n\n${renderPlan(range)}`);
    return;
  }
  const ctx = await openEngine({ progress: !o.json });
  try {
    if (await ctx.engine.get(name))
      throw new CyrangeError('CYR_EXISTS', `a range or standalone host named "${name}" already exists`, {
        hint: `change it with \`cyrange vm set ${name} …\`, or remove it with \`cyrange vm rm ${name}\``,
      });
    const res = await ctx.engine.deploy(range, JSON.stringify(raw), null, localActor());
    startWatcherIfNeeded(
      ctx.cfg,
      range.hosts.some((h) => h.runtime === 'docker'),
    );
    await ctx.close();
    if (o.json) printJson({ ...range.hosts[0], status: 'running', ms: res.ms });
    else process.stdout.write(`created and started standalone host ${name} in ${res.ms} ms\n\n${renderPlan(range)}`);
  } finally {
    await ctx.close();
  }
}

/** `vm set NAME`: a standalone host's network changed, the host keeping its data. */
export async function vmSet(name: string, o: VmFlags): Promise<void> {
  const ctx = await openEngine({ progress: !o.json });
  try {
    const rec = await standaloneRecord(ctx.engine, name);
    const base = standaloneFlagsOf(rec.resolved, parseSource(rec.source));
    const next = { ...base, ...flagsOf(o) };
    // A static address does not survive a move to dhcp; a network keeps serving DHCP once it does.
    const merged = { ...next, dhcp: base.dhcp === true || next.mode === 'dhcp', ...(next.mode === 'dhcp' ? { ip: undefined } : {}) };
    if (merged.ip === undefined) delete (merged as { ip?: string }).ip;
    if (merged.mode !== 'vsock' && merged.subnet === undefined)
      throw new ValidationError([{ path: '--network-subnet', message: `is required to move ${name} to ${merged.mode} mode` }]);
    const raw = standaloneBlueprint(merged);
    const range = resolveStandalone(raw, rec.resolved);
    const res = await ctx.engine.apply(range, JSON.stringify(raw), localActor(), { replace: o.replace === true });
    await ctx.close();
    if (o.json) printJson(res);
    else
      process.stdout.write(
        res.changes.length === 0
          ? `${name} is up to date: nothing changed\n`
          : `changed ${name} in ${res.ms} ms:\n${res.changes.map((c) => `  ${describeChange(c)}\n`).join('')}`,
      );
  } finally {
    await ctx.close();
  }
}

/** `vm ls`. */
export async function vmLs(o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine();
  try {
    const rows = (await ctx.engine.list())
      .filter((r) => r.kind === 'standalone' || isStandaloneRange(r.resolved))
      .map((r) => {
        const h = r.resolved.hosts[0];
        const nic = h?.interfaces[0];
        return {
          name: r.instance,
          runtime: h?.runtime ?? '-',
          mode: h?.network.mode ?? '-',
          network: r.resolved.networks[0]?.subnet ?? null,
          ip: nic ? (nic.ip ?? 'dhcp') : null,
          status: r.status,
        };
      });
    if (o.json) printJson(rows);
    else
      process.stdout.write(
        `${table(
          ['NAME', 'RUNTIME', 'MODE', 'SUBNET', 'IP', 'STATUS'],
          rows.map((r) => [r.name, r.runtime, r.mode, r.network ?? '-', r.ip ?? '-', r.status]),
        )}\n`,
      );
  } finally {
    await ctx.close();
  }
}

/** `vm rm NAME`. */
export async function vmRm(name: string): Promise<void> {
  const ctx = await openEngine({ progress: true });
  try {
    await standaloneRecord(ctx.engine, name);
    await ctx.engine.destroy(name);
    await ctx.close();
    process.stdout.write(`removed standalone host ${name}\n`);
  } finally {
    await ctx.close();
  }
}

/** The network flags of `vm create` and `vm set`, as standalone host flags. */
function flagsOf(o: VmFlags): Partial<StandaloneHostFlags> {
  const auto = o.networkAutoAssign;
  return {
    ...(typeof o.networkMode === 'string' ? { mode: o.networkMode } : {}),
    ...(typeof o.networkSubnet === 'string' ? { subnet: o.networkSubnet } : {}),
    ...(typeof o.networkGateway === 'string' ? { gateway: o.networkGateway } : {}),
    ...(auto !== undefined ? { autoAssign: auto === true ? true : parseBool(String(auto)) } : {}),
    ...(typeof o.ip === 'string' ? { ip: o.ip } : {}),
  };
}

/** Parses and resolves a standalone host's blueprint (against its deployed range when there is one). */
function resolveStandalone(raw: unknown, pin?: ResolvedRange): ResolvedRange {
  const parsed = parseRawRange(raw);
  if ('problems' in parsed) throw new ValidationError(parsed.problems, 'vm');
  return resolveRange(parsed.raw, { source: 'vm', ...(pin ? { pin } : {}) });
}

function parseSource(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return null;
  }
}

async function standaloneRecord(engine: Engine, name: string): Promise<RangeRecord> {
  const rec = await engine.get(name);
  if (!rec || !(rec.kind === 'standalone' || isStandaloneRange(rec.resolved)))
    throw new CyrangeError('CYR_NOT_FOUND', `no standalone host "${name}"`, { hint: 'cyrange vm ls lists them' });
  return rec;
}
