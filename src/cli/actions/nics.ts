import { openEngine } from '../context.js';
import { printJson } from '../output.js';

/** `nic add INSTANCE HOST NETWORK`. */
export async function nicAdd(instance: string, host: string, network: string, o: { ip?: string; json?: boolean }): Promise<void> {
  const ctx = await openEngine({ progress: !o.json });
  try {
    const n = await ctx.engine.addNic(instance, host, network, o.ip ?? null);
    await ctx.close();
    if (o.json) printJson(n);
    else process.stdout.write(`${instance}/${host}: ${n.ifname} on ${network} ${n.ip ?? '(dhcp)'} ${n.mac}\n`);
  } finally {
    await ctx.close();
  }
}

/** `nic rm INSTANCE HOST NETWORK`. */
export async function nicRm(instance: string, host: string, network: string): Promise<void> {
  const ctx = await openEngine({ progress: true });
  try {
    const n = await ctx.engine.removeNic(instance, host, network);
    await ctx.close();
    process.stdout.write(`${instance}/${host}: removed ${n.ifname} (${network})\n`);
  } finally {
    await ctx.close();
  }
}
