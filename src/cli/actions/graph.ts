import { CyrangeError, type GraphFormat, renderGraph } from '../../model/index.js';
import { openEngine } from '../context.js';

/** `graph INSTANCE --format F`. */
export async function graph(instance: string, o: { format: GraphFormat }): Promise<void> {
  const ctx = await openEngine();
  let rec: Awaited<ReturnType<typeof ctx.engine.get>>;
  try {
    rec = await ctx.engine.get(instance);
  } finally {
    await ctx.close();
  }
  if (!rec) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`, { hint: 'see `cyrange ls`' });
  process.stdout.write(renderGraph(rec.resolved, o.format));
}
