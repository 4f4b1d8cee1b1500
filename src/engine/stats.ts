import { type NicCounters, readNicStats } from '../dataplane/index.js';
import { noRangeError } from '../model/index.js';
import { CounterTotals } from './counter-totals.js';
import type { EngineContext } from './context.js';

/** One NIC's counters from the host's point of view, now and in total since this process first read them. */
export interface NicStatsRow extends NicCounters {
  readonly host: string;
  readonly network: string;
  readonly ifname: string;
  /** Whether the NIC's veth exists now; when not, the current counters are zero. */
  readonly present: boolean;
  /** Sums that survive the veth being recreated (a host restart). */
  readonly total: NicCounters;
}

const ZERO: NicCounters = { rx_bytes: 0, tx_bytes: 0, rx_packets: 0, tx_packets: 0, rx_dropped: 0, tx_dropped: 0 };

/** Totals of every instance this process has read, keyed `instance/host/network`. */
const totals = new CounterTotals();

/** Per-NIC rx/tx bytes, packets and drops of every host NIC of an instance, in host then NIC order. */
export async function stats(ctx: EngineContext, instance: string): Promise<NicStatsRow[]> {
  const rec = await ctx.store.getRange(instance);
  if (!rec) throw noRangeError(instance);
  const hosts = rec.resolved.hosts;
  const read = new Map((await readNicStats(instance, hosts)).map((s) => [`${s.host}/${s.network}`, s]));
  const rows: NicStatsRow[] = [];
  for (const h of hosts) {
    for (const nic of h.interfaces) {
      const key = `${instance}/${h.name}/${nic.network}`;
      const s = read.get(`${h.name}/${nic.network}`);
      const now: NicCounters = s
        ? {
            rx_bytes: s.rx_bytes,
            tx_bytes: s.tx_bytes,
            rx_packets: s.rx_packets,
            tx_packets: s.tx_packets,
            rx_dropped: s.rx_dropped,
            tx_dropped: s.tx_dropped,
          }
        : ZERO;
      // A NIC that is missing for now keeps its totals: only a reading that exists moves them.
      const total = s ? totals.update(key, now) : totals.get(key);
      rows.push({ host: h.name, network: nic.network, ifname: nic.ifname, ...now, present: s !== undefined, total });
    }
  }
  return rows;
}
