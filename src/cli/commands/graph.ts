import { type Command, Option } from 'commander';
import { CyrangeError, GRAPH_FORMATS, type GraphFormat, renderGraph } from '../../model/index.js';
import { openEngine } from '../context.js';

/** `cyrange graph INSTANCE --format mermaid|dot|json`: the topology of a stored instance, for docs. */
export function registerGraphCommands(program: Command): void {
  program
    .command('graph')
    .description('print the topology of a range instance (networks and hosts as nodes, one edge per NIC) as Mermaid, DOT or JSON')
    .argument('<instance>')
    .addOption(new Option('--format <format>', 'output form').choices([...GRAPH_FORMATS]).default('mermaid'))
    .action(async (instance: string, o: { format: GraphFormat }) => {
      const ctx = await openEngine();
      let rec: Awaited<ReturnType<typeof ctx.engine.get>>;
      try {
        rec = await ctx.engine.get(instance);
      } finally {
        await ctx.close();
      }
      if (!rec) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`, { hint: 'see `cyrange ls`' });
      process.stdout.write(renderGraph(rec.resolved, o.format));
    });
}
