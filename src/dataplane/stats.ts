import { type ResolvedHost, rangeNetns } from '../model/index.js';
import { run, netnsExists } from '../sys/index.js';

/** Traffic counters of one NIC, from the host's point of view (rx: what the host received). */
export interface NicCounters {
  readonly rx_bytes: number;
  readonly tx_bytes: number;
  readonly rx_packets: number;
  readonly tx_packets: number;
  readonly rx_dropped: number;
  readonly tx_dropped: number;
}

/** Counters of one host NIC, read from its range-side end. */
export interface NicStats extends NicCounters {
  readonly host: string;
  readonly network: string;
  readonly ifname: string;
}

interface Dir {
  bytes?: number;
  packets?: number;
  dropped?: number;
}
type LinkStatsJson = Array<{ ifname: string; stats64?: { rx?: Dir; tx?: Dir }; stats?: { rx?: Dir; tx?: Dir } }>;

/**
 * Reads the counters of every listed host NIC with one `ip -s -json link show` in the range
 * namespace, on the range end (`peer`) of each veth, which the guest cannot reset or fake. What
 * the peer receives is what the host sent, so rx and tx swap. NICs whose veth does not exist
 * (host stopped, range gone) are left out.
 */
export async function readNicStats(instance: string, hosts: readonly ResolvedHost[]): Promise<NicStats[]> {
  const ns = rangeNetns(instance);
  if (!netnsExists(ns)) return [];
  const r = await run(['ip', '-n', ns, '-s', '-json', 'link', 'show'], { allowFailure: true });
  if (r.code !== 0) return [];
  return nicStatsFrom(JSON.parse(r.stdout || '[]') as LinkStatsJson, hosts);
}

/** Matches `ip -s -json link` output of a range namespace to host NICs, in host then NIC order. */
export function nicStatsFrom(links: LinkStatsJson, hosts: readonly ResolvedHost[]): NicStats[] {
  const byName = new Map(links.map((l) => [l.ifname, l.stats64 ?? l.stats ?? {}]));
  const out: NicStats[] = [];
  for (const h of hosts) {
    for (const nic of h.interfaces) {
      const s = byName.get(nic.peer);
      if (!s) continue;
      out.push({
        host: h.name,
        network: nic.network,
        ifname: nic.ifname,
        rx_bytes: s.tx?.bytes ?? 0,
        tx_bytes: s.rx?.bytes ?? 0,
        rx_packets: s.tx?.packets ?? 0,
        tx_packets: s.rx?.packets ?? 0,
        rx_dropped: s.tx?.dropped ?? 0,
        tx_dropped: s.rx?.dropped ?? 0,
      });
    }
  }
  return out;
}
