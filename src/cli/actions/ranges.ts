import { type InspectResult, type RangeHealth, type ReconcileResult, describeStatus } from '../../engine/index.js';
import { CyrangeError, describeChange } from '../../model/index.js';
import { openEngine } from '../context.js';
import { loadBlueprintFile, localActor } from '../load.js';
import { printJson, table } from '../output.js';
import { startWatcherIfNeeded } from '../watcher.js';
import { resolvePinned } from './blueprint.js';

/** One line per reconciled instance: what was done, and the status before and after. */
function renderReconcile(rows: readonly ReconcileResult[]): string {
  if (rows.length > 0 && rows.every((r) => !r.changed && r.action !== 'skipped')) {
    const ms = Math.max(...rows.map((r) => r.ms));
    const n = rows.length === 1 ? '1 instance matches its stored range' : `${rows.length} instances match their stored ranges`;
    return `nothing to reconcile: ${n}; nothing changed (${ms} ms)\n`;
  }
  if (rows.length === 0) return 'nothing to reconcile: no instances\n';
  return `${table(
    ['INSTANCE', 'ACTION', 'BEFORE', 'AFTER', 'INTERRUPTED', 'MS', 'NOTE'],
    rows.map((r) => [r.instance, r.action, r.before, r.after, r.interrupted ?? '-', String(r.ms), r.note ?? '']),
  )}\n`;
}

/** The JSON form of a probed status: `status` is the live one, `recorded` what the store says. */
function statusJson(h: RangeHealth | undefined) {
  return h
    ? {
        status: h.status,
        recorded_status: h.recorded,
        hosts_up: h.hostsUp,
        interrupted: h.crashed,
        down_hosts: h.hosts.filter((x) => !x.up).map((x) => ({ name: x.name, why: x.why ?? null })),
      }
    : {};
}

function renderInspect(r: InspectResult, h?: RangeHealth): string {
  const nets = table(
    ['NETWORK', 'SUBNET', 'GATEWAY', 'EGRESS', 'DHCP'],
    r.networks.map((n) => [n.name, n.subnet, n.gateway, n.egress, n.dhcp ? 'yes' : 'no']),
  );
  const rows: string[][] = [];
  for (const h of r.hosts) {
    if (h.interfaces.length === 0) rows.push([h.name, h.runtime, h.mode, h.state, '-', '-', '-', '-', '-']);
    for (const n of h.interfaces) {
      const live = n.observed ? n.observed.ipv4.join(',') || '-' : '-';
      rows.push([
        h.name,
        h.runtime,
        h.mode,
        h.state,
        `${n.ifname}${n.primary ? '*' : ''}`,
        n.network,
        n.ip ?? 'dhcp',
        live,
        n.mac,
        n.observed?.state ?? 'absent',
      ]);
    }
  }
  const hosts = table(['HOST', 'RUNTIME', 'MODE', 'STATE', 'NIC', 'NETWORK', 'IP', 'LIVE', 'MAC', 'LINK'], rows);
  const status = h ? describeStatus(h) : r.status;
  return `${r.instance} (blueprint ${r.blueprint}): ${status}\n\n${nets}\n\n${hosts}\n`;
}

/** `deploy FILE`: a new instance, or exactly what changed applied to a deployed one. */
export async function deploy(file: string, o: { name?: string; json?: boolean; replace?: boolean }): Promise<void> {
  const loaded = loadBlueprintFile(file, o.name);
  const { source } = loaded;
  const ctx = await openEngine({ progress: !o.json });
  try {
    const deployed = await ctx.engine.get(loaded.range.instance);
    const range = deployed ? resolvePinned(source, file, loaded.range.instance, deployed.resolved) : loaded.range;
    const res = await ctx.engine.apply(range, source, localActor(), { replace: o.replace === true });
    startWatcherIfNeeded(
      ctx.cfg,
      range.hosts.some((h) => h.runtime === 'docker'),
    );
    await ctx.close();
    if (o.json) printJson(res);
    else if (res.changes.length > 0)
      process.stdout.write(
        `${res.rebuilt ? 'rebuilt' : 'changed'} ${res.instance} in ${res.ms} ms:\n${res.changes.map((c) => `  ${describeChange(c)}\n`).join('')}`,
      );
    else
      process.stdout.write(
        res.changed
          ? `deployed ${res.instance}: ${range.hosts.length} hosts on ${range.networks.length} networks in ${res.ms} ms\n`
          : `${res.instance} is up to date: nothing changed\n`,
      );
  } finally {
    await ctx.close();
  }
}

/** `ls`: every instance with its live status. */
export async function ls(o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine();
  try {
    const rows = await ctx.engine.list();
    // The live state from the cheap probe: no runc, docker exec or guest call per host.
    const live = new Map((await ctx.engine.liveStatus()).map((h) => [h.instance, h]));
    if (o.json)
      printJson(
        rows.map((r) => ({
          instance: r.instance,
          blueprint: r.resolved.name,
          kind: r.kind,
          status: r.status,
          hosts: r.resolved.hosts.length,
          networks: r.resolved.networks.length,
          ...statusJson(live.get(r.instance)),
        })),
      );
    else
      process.stdout.write(
        `${table(
          ['INSTANCE', 'BLUEPRINT', 'KIND', 'STATUS', 'HOSTS', 'NETWORKS'],
          rows.map((r) => {
            const h = live.get(r.instance);
            return [
              r.instance,
              r.resolved.name,
              r.kind,
              h ? describeStatus(h) : r.status,
              String(r.resolved.hosts.length),
              String(r.resolved.networks.length),
            ];
          }),
        )}\n`,
      );
  } finally {
    await ctx.close();
  }
}

/** `inspect INSTANCE`. */
export async function inspect(instance: string, o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine();
  try {
    const r = await ctx.engine.inspect(instance);
    const [h] = await ctx.engine.liveStatus([instance]);
    if (o.json) printJson({ ...r, ...statusJson(h) });
    else process.stdout.write(renderInspect(r, h));
  } finally {
    await ctx.close();
  }
}

/** `destroy INSTANCE`. */
export async function destroy(instance: string, o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine({ progress: !o.json });
  try {
    const r = await ctx.engine.destroy(instance);
    await ctx.close();
    if (o.json) printJson(r);
    else process.stdout.write(r.existed ? `destroyed ${instance}\n` : `${instance} was not deployed; removed any leftovers\n`);
  } finally {
    await ctx.close();
  }
}

/** `reconcile INSTANCE` or `reconcile --all`. */
export async function reconcile(instance: string | undefined, o: { all?: boolean; json?: boolean }): Promise<void> {
  if (!instance === !o.all) throw new CyrangeError('CYR_INVALID', 'name one instance, or give --all');
  const ctx = await openEngine({ progress: !o.json });
  try {
    const rows = instance ? [await ctx.engine.reconcile(instance, { force: true })] : await ctx.engine.reconcileAll();
    startWatcherIfNeeded(ctx.cfg, rows.some((r) => r.changed) && (await ctx.engine.hasDockerHosts()));
    await ctx.close();
    if (o.json) printJson(rows);
    else process.stdout.write(renderReconcile(rows));
    if (rows.some((r) => r.action === 'failed')) process.exitCode = 1;
  } finally {
    await ctx.close();
  }
}

/** `gc`. */
export async function gc(o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine({ progress: !o.json });
  try {
    const r = await ctx.engine.gc();
    await ctx.close();
    if (o.json) printJson(r);
    else {
      process.stdout.write(r.removed.length ? `removed leftovers of: ${r.removed.join(', ')}\n` : 'nothing to collect\n');
      for (const e of r.errors) process.stderr.write(`error: ${e}\n`);
    }
    if (r.errors.length) process.exitCode = 1;
  } finally {
    await ctx.close();
  }
}
