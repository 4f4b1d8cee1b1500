import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { openEngine } from '../context.js';

/** `capture`: pcap from a range network's bridge or one host's NIC, to stdout or a file. */
export function registerCaptureCommands(program: Command): void {
  program
    .command('capture')
    .description('stream pcap from a range network (tcpdump inside the range namespace); pipe into `wireshark -k -i -`')
    .argument('<instance>')
    .argument('<network>')
    .option('--host <host>', "only this host's NIC on the network (its range-side link)")
    .option('--filter <bpf>', 'a BPF filter expression, e.g. "icmp or tcp port 80"')
    .option('-w, --write <file>', 'write the pcap here instead of stdout')
    .action(async (instance: string, network: string, o: { host?: string; filter?: string; write?: string }) => {
      const ctx = await openEngine();
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      try {
        const cap = await ctx.engine.capture({ instance, network, host: o.host, filter: o.filter, signal: stop.signal });
        const out = o.write ? createWriteStream(o.write) : process.stdout;
        // A reader that goes away (wireshark closed, `| head`) ends the capture.
        out.on('error', () => cap.stop());
        cap.stdout.pipe(out);
        await cap.done;
        if (o.write) await new Promise<void>((r) => out.end(() => r()));
      } finally {
        await ctx.close();
      }
    });
}
