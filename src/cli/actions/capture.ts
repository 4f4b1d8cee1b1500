import { createWriteStream } from 'node:fs';
import { openEngine } from '../context.js';

/** What `capture` takes besides the instance and network. */
export interface CaptureOptions {
  host?: string;
  filter?: string;
  write?: string;
}

/** `capture INSTANCE NETWORK`: pcap to stdout or a file until signalled or the reader goes. */
export async function capture(instance: string, network: string, o: CaptureOptions): Promise<void> {
  const ctx = await openEngine({ signals: false });
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
}
