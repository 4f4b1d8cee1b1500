import { type Command, Option } from 'commander';
import type { GraphFormat } from '../../model/index.js';
import { allOf } from '../choices.js';

/** The model's graph formats, in its order. */
const GRAPH_FORMATS = allOf<GraphFormat>()(['mermaid', 'dot', 'json']);

/** `cyrange graph INSTANCE --format mermaid|dot|json`: the topology of a stored instance, for docs. */
export function registerGraphCommands(program: Command): void {
  program
    .command('graph')
    .description('print the topology of a range instance (networks and hosts as nodes, one edge per NIC) as Mermaid, DOT or JSON')
    .argument('<instance>')
    .addOption(new Option('--format <format>', 'output form').choices([...GRAPH_FORMATS]).default('mermaid'))
    .action(async (instance: string, o: { format: GraphFormat }) => (await import('../actions/graph.js')).graph(instance, o));
}
