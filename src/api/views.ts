import type { InspectedHost, RangeRecord } from '../engine/index.js';
import type { ResolvedHost, ResolvedRange } from '../model/index.js';

/** One NIC in API form: network ids are network names, unique within a range. */
export interface NicView {
  network_id: string;
  network_name: string;
  ip_address: string | null;
  subnet: string;
  is_primary: boolean;
  mac: string;
  ifname: string;
  addressing: string;
}

/** A host in API form: `networks` is the truth; top-level `network_id`/`ip_address` are the deprecated primary. */
export function hostView(range: ResolvedRange, h: ResolvedHost, live?: InspectedHost) {
  const subnetOf = new Map(range.networks.map((n) => [n.name, n.subnet]));
  const networks: NicView[] = h.interfaces.map((n) => ({
    network_id: n.network,
    network_name: n.network,
    ip_address: n.ip ?? live?.interfaces.find((x) => x.ifname === n.ifname)?.observed?.ipv4[0]?.split('/')[0] ?? null,
    subnet: subnetOf.get(n.network) ?? '',
    is_primary: n.primary,
    mac: n.mac,
    ifname: n.ifname,
    addressing: n.addressing,
  }));
  const primary = networks.find((n) => n.is_primary);
  return {
    name: h.name,
    runtime: h.runtime,
    image: h.image,
    mode: h.network.mode,
    hidden: h.hidden,
    vnc_port: h.vncPort,
    state: live?.state ?? null,
    networks,
    network_id: primary?.network_id ?? null,
    ip_address: primary?.ip_address ?? null,
  };
}

/** A range instance in API form. */
export function rangeView(rec: RangeRecord) {
  const r = rec.resolved;
  return {
    name: rec.instance,
    blueprint: r.name,
    status: rec.status,
    kind: rec.kind,
    owner: rec.owner ?? null,
    host_count: r.hosts.length,
    networks: r.networks.map((n) => ({
      id: n.name,
      name: n.name,
      subnet: n.subnet,
      gateway: n.gateway,
      egress: n.egress,
      dhcp: n.dhcp !== null,
    })),
    routes: r.routes,
  };
}
