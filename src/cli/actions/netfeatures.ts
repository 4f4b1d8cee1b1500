import type { NicStatsRow } from '../../engine/index.js';
import { type RateLimit, ValidationError } from '../../model/index.js';
import { DEFAULT_BURST_KB, DEFAULT_WATCH_SECONDS } from '../commands/netfeatures.js';
import { openEngine } from '../context.js';
import { printJson, table } from '../output.js';

/** What `limit` takes besides the instance, host and network. */
export interface LimitOptions {
  ingress?: string;
  egress?: string;
  burst?: string;
  clear?: boolean;
  json?: boolean;
}

function positive(flag: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new ValidationError([{ path: flag, message: `"${text}" is not a positive number` }]);
  return v;
}

function describeLimit(l: RateLimit | null | undefined): string {
  if (!l) return 'unlimited';
  const dir = (v: number | null) => (v === null ? 'unlimited' : `${v} Mbit/s`);
  return `ingress ${dir(l.ingressMbps)}, egress ${dir(l.egressMbps)}, burst ${l.burstKb} KiB`;
}

function statsTable(rows: readonly NicStatsRow[]): string {
  return table(
    ['HOST', 'NETWORK', 'IFNAME', 'RX_BYTES', 'TX_BYTES', 'RX_PKTS', 'TX_PKTS', 'RX_DROP', 'TX_DROP', 'RX_TOTAL', 'TX_TOTAL'],
    rows.map((r) => [
      r.host,
      r.network,
      r.present ? r.ifname : `${r.ifname} (absent)`,
      String(r.rx_bytes),
      String(r.tx_bytes),
      String(r.rx_packets),
      String(r.tx_packets),
      String(r.rx_dropped),
      String(r.tx_dropped),
      String(r.total.rx_bytes),
      String(r.total.tx_bytes),
    ]),
  );
}

/** `limit INSTANCE HOST NETWORK`: sets, clears or (no option) shows one NIC's rate limit. */
export async function limit(instance: string, host: string, network: string, o: LimitOptions): Promise<void> {
  const ingressMbps = positive('--ingress', o.ingress);
  const egressMbps = positive('--egress', o.egress);
  const burstKb = positive('--burst', o.burst);
  const given = ingressMbps !== null || egressMbps !== null || burstKb !== null;
  if (o.clear && given) throw new ValidationError([{ path: '--clear', message: 'cannot be combined with --ingress, --egress or --burst' }]);
  if (!o.clear && given && ingressMbps === null && egressMbps === null)
    throw new ValidationError([{ path: '--burst', message: 'needs --ingress or --egress' }]);
  const ctx = await openEngine();
  try {
    if (!o.clear && !given) {
      const nic = (await ctx.engine.getHost(instance, host)).host.interfaces.find((n) => n.network === network);
      if (!nic) throw new ValidationError([{ path: 'network', message: `no NIC of ${instance}/${host} on network ${network}` }]);
      if (o.json) printJson(nic);
      else process.stdout.write(`${instance}/${host} ${nic.ifname} (${network}): ${describeLimit(nic.rateLimit)}\n`);
      return;
    }
    const rate: RateLimit | null = o.clear ? null : { ingressMbps, egressMbps, burstKb: burstKb ?? DEFAULT_BURST_KB };
    const nic = await ctx.engine.setRateLimit(instance, host, network, rate);
    if (o.json) printJson(nic);
    else process.stdout.write(`${instance}/${host} ${nic.ifname} (${network}): ${describeLimit(nic.rateLimit)}\n`);
  } finally {
    await ctx.close();
  }
}

/** `stats INSTANCE`: once, or redrawn every `--watch` seconds until signalled. */
export async function stats(instance: string, o: { json?: boolean; watch?: string | boolean }): Promise<void> {
  const every = o.watch === undefined || o.watch === false ? null : o.watch === true ? DEFAULT_WATCH_SECONDS : positive('--watch', o.watch);
  const ctx = await openEngine({ signals: false });
  try {
    const show = async (redraw: boolean) => {
      const rows = await ctx.engine.stats(instance);
      if (o.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else process.stdout.write(`${redraw ? '\x1b[H\x1b[2J' : ''}${statsTable(rows)}\n`);
    };
    if (every === null) {
      await show(false);
      return;
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      while (!stop.signal.aborted) {
        await show(process.stdout.isTTY === true);
        await new Promise<void>((res) => {
          const t = setTimeout(res, every * 1000);
          stop.signal.addEventListener('abort', () => {
            clearTimeout(t);
            res();
          });
        });
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    await ctx.close();
  }
}
