import type { Command } from 'commander';
import type { ResolvedRange } from '../../model/index.js';
import { actorFor, loadBlueprintFile } from '../load.js';
import { printJson, table } from '../output.js';

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

/** `validate` and `plan`: pure commands that read a blueprint and touch nothing. */
export function registerBlueprintCommands(program: Command): void {
  program
    .command('validate')
    .description('check a blueprint; exit 0 when valid, 2 with one line per problem otherwise')
    .argument('<file>', 'blueprint (YAML or JSON)')
    .option('--as <role>', 'check admission as this API role would get it (admin, instructor, student)')
    .action((file: string, o: { as?: string }) => {
      const { range } = loadBlueprintFile(file, undefined, actorFor(o.as));
      process.stdout.write(`${file}: valid (${range.networks.length} networks, ${range.hosts.length} hosts)\n`);
    });

  program
    .command('plan')
    .description('show what a deploy would create: networks, hosts, addresses, MACs and interface names')
    .argument('<file>', 'blueprint (YAML or JSON)')
    .option('--name <instance>', 'instance name (default: the blueprint name)')
    .option('--json', 'print the resolved range as JSON')
    .option('--as <role>', 'check admission as this API role would get it (admin, instructor, student)')
    .action((file: string, o: { name?: string; json?: boolean; as?: string }) => {
      const { range } = loadBlueprintFile(file, o.name, actorFor(o.as));
      if (o.json) printJson(range);
      else process.stdout.write(renderPlan(range));
    });
}
