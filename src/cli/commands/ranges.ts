import type { Command } from 'commander';
import type { InspectResult } from '../../engine/index.js';
import { openEngine } from '../context.js';
import { loadBlueprintFile, localActor } from '../load.js';
import { printJson, table } from '../output.js';
import { startWatcherIfNeeded } from '../watcher.js';

function renderInspect(r: InspectResult): string {
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
  return `${r.instance} (blueprint ${r.blueprint}): ${r.status}\n\n${nets}\n\n${hosts}\n`;
}

/** Range lifecycle commands: deploy, ls, inspect, destroy, gc. */
export function registerRangeCommands(program: Command): void {
  program
    .command('deploy')
    .description('deploy a blueprint as a range instance (idempotent: deploying again repairs or changes nothing)')
    .argument('<file>', 'blueprint (YAML or JSON)')
    .option('--name <instance>', 'instance name (default: the blueprint name)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { name?: string; json?: boolean }) => {
      const { range, source } = loadBlueprintFile(file, o.name);
      const ctx = openEngine({ progress: !o.json });
      try {
        const res = await ctx.engine.deploy(range, source, null, localActor());
        startWatcherIfNeeded(
          ctx.cfg,
          range.hosts.some((h) => h.runtime === 'docker'),
        );
        ctx.close();
        if (o.json) printJson(res);
        else
          process.stdout.write(
            res.changed
              ? `deployed ${res.instance}: ${range.hosts.length} hosts on ${range.networks.length} networks in ${res.ms} ms\n`
              : `${res.instance} is up to date: nothing changed\n`,
          );
      } finally {
        ctx.close();
      }
    });

  program
    .command('ls')
    .description('list range instances')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const ctx = openEngine();
      try {
        const rows = await ctx.engine.list();
        if (o.json)
          printJson(
            rows.map((r) => ({
              instance: r.instance,
              blueprint: r.resolved.name,
              kind: r.kind,
              status: r.status,
              hosts: r.resolved.hosts.length,
              networks: r.resolved.networks.length,
            })),
          );
        else
          process.stdout.write(
            `${table(
              ['INSTANCE', 'BLUEPRINT', 'KIND', 'STATUS', 'HOSTS', 'NETWORKS'],
              rows.map((r) => [
                r.instance,
                r.resolved.name,
                r.kind,
                r.status,
                String(r.resolved.hosts.length),
                String(r.resolved.networks.length),
              ]),
            )}\n`,
          );
      } finally {
        ctx.close();
      }
    });

  program
    .command('inspect')
    .description('show an instance: hosts, state, and every interface with network, IP, MAC and link state')
    .argument('<instance>')
    .option('--json', 'print as JSON')
    .action(async (instance: string, o: { json?: boolean }) => {
      const ctx = openEngine();
      try {
        const r = await ctx.engine.inspect(instance);
        if (o.json) printJson(r);
        else process.stdout.write(renderInspect(r));
      } finally {
        ctx.close();
      }
    });

  program
    .command('destroy')
    .description('remove an instance and everything it owns (destroying twice is fine)')
    .argument('<instance>')
    .option('--json', 'print the result as JSON')
    .action(async (instance: string, o: { json?: boolean }) => {
      const ctx = openEngine({ progress: !o.json });
      try {
        const r = await ctx.engine.destroy(instance);
        ctx.close();
        if (o.json) printJson(r);
        else process.stdout.write(r.existed ? `destroyed ${instance}\n` : `${instance} was not deployed; removed any leftovers\n`);
      } finally {
        ctx.close();
      }
    });

  program
    .command('gc')
    .description('remove leftovers of instances that are gone or whose deploy crashed, found by ownership tags')
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const ctx = openEngine({ progress: !o.json });
      try {
        const r = await ctx.engine.gc();
        ctx.close();
        if (o.json) printJson(r);
        else {
          process.stdout.write(r.removed.length ? `removed leftovers of: ${r.removed.join(', ')}\n` : 'nothing to collect\n');
          for (const e of r.errors) process.stderr.write(`error: ${e}\n`);
        }
        if (r.errors.length) process.exitCode = 1;
      } finally {
        ctx.close();
      }
    });
}
