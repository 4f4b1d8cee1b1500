import { Engine, configFromEnv } from '../../engine/index.js';
import {
  type RangeDiff,
  type ResolvedRange,
  describeChange,
  diffRanges,
  loadRawRange,
  replacementsOf,
  resolveRange,
} from '../../model/index.js';
import { openEngine } from '../context.js';
import { actorFor, loadBlueprintFile } from '../load.js';
import { printJson, table } from '../output.js';

/**
 * Resolves a loaded blueprint (`source` as `loadBlueprintFile` returns it) for a deployed instance:
 * NICs its hosts already have keep their addresses and interface names, so the diff from `pin` is
 * only what the blueprint changes.
 */
export function resolvePinned(source: string, file: string, instance: string, pin: ResolvedRange): ResolvedRange {
  return resolveRange(loadRawRange(source, file), { source: file, instance, pin });
}

/** Text form of a diff: one line per change, or that nothing changes. */
export function renderDiff(d: RangeDiff): string {
  if (d.changes.length === 0) return `${d.instance} is up to date: nothing to change\n`;
  const replace = replacementsOf(d).length;
  const head = `${d.instance}: ${d.changes.length} change${d.changes.length === 1 ? '' : 's'}${
    replace ? ` (${replace} need${replace === 1 ? 's' : ''} --replace)` : ''
  }`;
  return `${head}\n${d.changes.map((c) => `  ${describeChange(c)}`).join('\n')}\n`;
}

/** The stored range of an instance, when a store exists here (plan never creates one). */
async function storedRange(instance: string): Promise<ResolvedRange | null> {
  if (!Engine.storeExists(configFromEnv())) return null;
  const ctx = await openEngine();
  try {
    return (await ctx.engine.get(instance))?.resolved ?? null;
  } finally {
    await ctx.close();
  }
}

/** Text form of a plan: networks, then every host interface with its address, MAC and names. */
export function renderPlan(r: ResolvedRange): string {
  const nets = table(
    ['NETWORK', 'SUBNET', 'GATEWAY', 'EGRESS', 'DHCP', 'BRIDGE'],
    r.networks.map((n) => [n.name, n.subnet, n.gateway, n.egress, n.dhcp ? `${n.dhcp.start}-${n.dhcp.end}` : '-', n.bridge]),
  );
  const rows: string[][] = [];
  for (const h of r.hosts) {
    if (h.interfaces.length === 0) rows.push([h.name, h.runtime, h.network.mode, '-', '-', '-', '-', '-']);
    for (const n of h.interfaces) {
      rows.push([
        h.name,
        h.runtime,
        h.network.mode,
        `${n.ifname}${n.primary ? '*' : ''}`,
        n.network,
        n.ip ? `${n.ip}/${n.prefix} (${n.addressing})` : n.addressing,
        n.mac,
        n.peer,
      ]);
    }
  }
  const hosts = table(['HOST', 'RUNTIME', 'MODE', 'NIC', 'NETWORK', 'IP', 'MAC', 'RANGE-SIDE'], rows);
  return `range ${r.name} (instance ${r.instance})\n\n${nets}\n\n${hosts}\n\n* primary interface\n`;
}

/** `plan FILE`: the resolved range of a new instance, or the changes to a deployed one. */
export async function plan(file: string, o: { name?: string; json?: boolean; as?: string }): Promise<void> {
  const { range, source } = loadBlueprintFile(file, o.name, actorFor(o.as));
  const deployed = await storedRange(range.instance);
  if (deployed) {
    const pinned = resolvePinned(source, file, range.instance, deployed);
    const diff = diffRanges(deployed, pinned);
    // The resolved range as for a new instance (what the deploy makes it), with the diff from what runs.
    if (o.json)
      printJson({
        ...pinned,
        changes: diff.changes,
        lines: diff.changes.map(describeChange),
        needs_replace: replacementsOf(diff).length > 0,
      });
    else process.stdout.write(renderDiff(diff));
    return;
  }
  if (o.json) printJson(range);
  else process.stdout.write(renderPlan(range));
}
