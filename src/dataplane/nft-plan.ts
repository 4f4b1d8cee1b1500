import type { ResolvedRange } from '../model/index.js';
import { MAX_NIC_ID, metadataPort, nftElements, planNicIds } from './nft-bridge-plan.js';

/** Name of the nftables table Cyrange owns in every range namespace. */
export const NFT_TABLE = 'cyrange';

/** Name of the routing table's map from a NIC id (the mark the bridge table set) to its metadata port. */
export const METADATA_PORT_MAP = 'metadata_ports';

/**
 * The range namespace's whole firewall as one `nft -f` script: it replaces our table atomically.
 * Forwarding is dropped unless the blueprint routes two networks or a network has NAT egress;
 * the namespace itself answers only ping, DHCP, established traffic and the metadata service.
 * A request to 169.254.169.254:80 carries the id of the port it came in on (marked by the bridge
 * table) and is sent to that NIC's own listener, port `metadataPort(id)`, so the service knows
 * the caller from the socket's local port, never from a source address the caller chose. Only
 * connections translated that way reach the listeners.
 */
export function planRangeFirewall(
  range: ResolvedRange,
  opts: { uplink: string | null; metadata?: boolean; nicIds?: ReadonlyMap<string, number> },
): string {
  const bridgeOf = new Map(range.networks.map((n) => [n.name, n.bridge]));
  // Within a network traffic flows as on a switch, even if br_netfilter hands bridged frames to us.
  const forward: string[] = range.networks.map((n) => `iifname "${n.bridge}" oifname "${n.bridge}" accept`);
  for (const [a, b] of range.routes) {
    const ba = bridgeOf.get(a);
    const bb = bridgeOf.get(b);
    forward.push(`iifname "${ba}" oifname "${bb}" accept`, `iifname "${bb}" oifname "${ba}" accept`);
  }
  const natBridges = range.networks.filter((n) => n.egress === 'nat').map((n) => `"${n.bridge}"`);
  if (opts.uplink && natBridges.length > 0) forward.push(`iifname { ${natBridges.join(', ')} } oifname "${opts.uplink}" accept`);
  const dhcpBridges = range.networks.filter((n) => n.dhcp).map((n) => `"${n.bridge}"`);
  const bridges = range.networks.map((n) => `"${n.bridge}"`);
  const input = ['iifname "lo" accept', 'ip protocol icmp accept'];
  const metadata = opts.metadata !== false && bridges.length > 0;
  if (metadata)
    input.push(
      `iifname { ${bridges.join(', ')} } ip daddr 169.254.169.254 tcp dport ${metadataPort(1)}-${metadataPort(MAX_NIC_ID)} ct status dnat accept`,
    );
  if (dhcpBridges.length > 0) input.push(`iifname { ${dhcpBridges.join(', ')} } udp dport 67 accept`);
  const lines = [`table inet ${NFT_TABLE}`, `delete table inet ${NFT_TABLE}`, `table inet ${NFT_TABLE} {`];
  if (metadata) {
    const ids = [...(opts.nicIds ?? planNicIds(range)).values()].sort((a, b) => a - b);
    lines.push(
      `  map ${METADATA_PORT_MAP} {`,
      '    type mark : inet_service',
      ...nftElements(ids.map((id) => `${id} : ${metadataPort(id)}`)),
      '  }',
      '  chain prerouting {',
      '    type nat hook prerouting priority dstnat; policy accept;',
      `    ip daddr 169.254.169.254 tcp dport 80 dnat ip to 169.254.169.254 : meta mark map @${METADATA_PORT_MAP}`,
      '  }',
    );
  }
  lines.push(
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    '    ct state invalid drop',
    ...forward.map((l) => `    ${l}`),
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    ct state established,related accept',
    ...input.map((l) => `    ${l}`),
    '  }',
  );
  if (opts.uplink && natBridges.length > 0) {
    lines.push(
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      `    oifname "${opts.uplink}" masquerade`,
      '  }',
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
