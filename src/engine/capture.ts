import { type StreamedCommand, inNetns, runStreaming } from '../sys/index.js';
import { CyrangeError, rangeNetns, LIST_RANGES_HINT, noRangeError } from '../model/index.js';
import type { EngineContext } from './context.js';

/** What to capture: a network's bridge, or one host's NIC on it (its range-side link). */
export interface CaptureRequest {
  readonly instance: string;
  readonly network: string;
  readonly host?: string | undefined;
  /** A BPF filter expression, handed to tcpdump as one argument (never through a shell). */
  readonly filter?: string | undefined;
  readonly signal?: AbortSignal;
}

/** The pcap stream of a range link: tcpdump inside the range namespace, so the machine's own interfaces are never touched. */
export async function capture(ctx: EngineContext, req: CaptureRequest): Promise<StreamedCommand> {
  const rec = await ctx.store.getRange(req.instance);
  if (!rec) throw noRangeError(req.instance, { hint: LIST_RANGES_HINT });
  const range = rec.resolved;
  const net = range.networks.find((n) => n.name === req.network);
  if (!net)
    throw new CyrangeError(
      'CYR_NOT_FOUND',
      `no network "${req.network}" in "${req.instance}" (networks: ${range.networks.map((n) => n.name).join(', ')})`,
    );
  let link = net.bridge;
  if (req.host !== undefined) {
    const host = range.hosts.find((h) => h.name === req.host);
    if (!host) throw new CyrangeError('CYR_NOT_FOUND', `no host "${req.host}" in "${req.instance}"`);
    const nic = host.interfaces.find((n) => n.network === req.network);
    if (!nic) throw new CyrangeError('CYR_NOT_FOUND', `host "${req.host}" has no NIC on network "${req.network}"`);
    link = nic.peer;
  }
  const filter = req.filter?.trim() ? [req.filter] : [];
  // -U: each packet is written as it arrives, so a pipe into Wireshark shows it at once.
  const argv = inNetns(rangeNetns(req.instance), ['tcpdump', '-i', link, '-U', '-n', '-s', '0', '-w', '-', ...filter]);
  return runStreaming(argv, { ...(req.signal ? { signal: req.signal } : {}), env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
}
