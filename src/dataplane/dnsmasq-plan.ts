import { type ResolvedRange, netmaskOf } from '../model/index.js';
import type { Argv } from '../sys/index.js';

/** Files one range's DHCP server keeps. */
export interface DnsmasqFiles {
  readonly leaseFile: string;
  readonly pidFile: string;
}

/**
 * Argv of the range's DHCP server: one dnsmasq in the range namespace serving every network with
 * `dhcp`, bound only to those bridges, DNS off, no config file read. Null when no network needs it.
 */
export function planDnsmasq(range: ResolvedRange, files: DnsmasqFiles): Argv | null {
  const nets = range.networks.filter((n) => n.dhcp);
  if (nets.length === 0) return null;
  const argv = [
    'dnsmasq',
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--port=0',
    '--bind-interfaces',
    '--except-interface=lo',
    '--dhcp-authoritative',
    // Broadcast replies: unicast offers to a NIC without an address are lost on veths here.
    '--dhcp-broadcast',
    // Static and auto addresses never fall in the pool, so the ping check only adds delay.
    '--no-ping',
    '--log-dhcp',
    '--log-facility=-',
    `--dhcp-leasefile=${files.leaseFile}`,
    `--pid-file=${files.pidFile}`,
  ];
  for (const n of nets) {
    const d = n.dhcp;
    if (!d) continue;
    argv.push(
      `--interface=${n.bridge}`,
      `--dhcp-range=set:${n.name},${d.start},${d.end},${netmaskOf(n.prefix)},${d.leaseSeconds}`,
      `--dhcp-option=tag:${n.name},option:router,${n.gateway}`,
    );
    if (n.dns.length > 0) argv.push(`--dhcp-option=tag:${n.name},option:dns-server,${n.dns.join(',')}`);
  }
  return argv;
}
