// Leases: adding and removing NICs of a stored host, as pure edits of the resolved range that
// `updateRange` runs inside its transaction, so each allocation sees every lease before it.
import {
  type Addressing,
  CyrangeError,
  IFNAME_MAX,
  type Problem,
  type ResolvedInterface,
  type ResolvedRange,
  ValidationError,
  MAC_PATTERN,
  addInterfaceTo,
  deepFreeze,
  removeInterfaceFrom,
} from '../model/index.js';

/** A NIC whose names the caller chose; without `ip` and with `auto` addressing the lowest free address is leased. */
export interface NewInterface {
  readonly ip?: string | null;
  readonly mac: string;
  readonly ifname: string;
  readonly peer: string;
  readonly addressing: Addressing;
}

/** An edit of a resolved range and what it hands back: the shape `updateRange` runs. */
export interface RangeEdit<T> {
  readonly range: ResolvedRange;
  readonly result: T;
}

/** The model's NIC with the caller's names, checked against the range. */
function withGiven(range: ResolvedRange, hostName: string, nic: ResolvedInterface, given: NewInterface): ResolvedInterface {
  const host = range.hosts.find((h) => h.name === hostName);
  const problems: Problem[] = [];
  const mode = host?.network.mode ?? 'bridged';
  if (given.addressing !== nic.addressing && !(given.addressing === 'auto' && nic.addressing === 'static'))
    problems.push({
      path: 'addressing',
      message: `${given.addressing} does not fit host ${hostName} in ${mode} mode (expected ${nic.addressing})`,
    });
  if (!MAC_PATTERN.test(given.mac))
    problems.push({ path: 'mac', message: `"${given.mac}" must be a lower-case MAC like 02:00:00:00:00:01` });
  for (const field of ['ifname', 'peer'] as const) {
    const v = given[field];
    if (v.length === 0 || v.length > IFNAME_MAX) problems.push({ path: field, message: `"${v}" must be 1..${IFNAME_MAX} characters` });
  }
  if (host?.interfaces.some((n) => n.ifname === given.ifname))
    problems.push({ path: 'ifname', message: `${given.ifname} is already used on host ${hostName}` });
  if (range.hosts.some((h) => h.interfaces.some((n) => n.peer === given.peer)))
    problems.push({ path: 'peer', message: `${given.peer} is already used in range ${range.instance}` });
  if (problems.length) throw new ValidationError(problems);
  return { ...nic, mac: given.mac, ifname: given.ifname, peer: given.peer, addressing: given.addressing };
}

/**
 * Adds a NIC on `network` to a host, with the model's rules (network exists, not on the host yet,
 * static IP in the subnet and free, no NIC in vsock mode…); without an IP a bridged host gets the
 * lowest free address. `nic` is the IP (names derived as the model does) or the caller's NIC.
 */
export function addInterfaceEdit(
  range: ResolvedRange,
  hostName: string,
  network: string,
  nic?: string | null | NewInterface,
): RangeEdit<ResolvedInterface> {
  const given = typeof nic === 'object' && nic !== null ? nic : null;
  const ip = typeof nic === 'object' ? nic?.ip : nic;
  const made = addInterfaceTo(range, hostName, network, ip);
  if (!given) return { range: made.range, result: made.nic };
  const added = withGiven(range, hostName, made.nic, given);
  const hosts = made.range.hosts.map((h) =>
    h.name === hostName ? { ...h, interfaces: h.interfaces.map((n) => (n.network === network ? added : n)) } : h,
  );
  return { range: deepFreeze({ ...made.range, hosts }), result: added };
}

/** Removes a host's NIC on `network`, freeing its lease; the primary is refused with CYR_CONFLICT. */
export function removeInterfaceEdit(range: ResolvedRange, hostName: string, network: string): RangeEdit<ResolvedInterface> {
  const { range: next, nic } = removeInterfaceFrom(range, hostName, network);
  return { range: next, result: nic };
}

/**
 * Removes every NIC of a host, primary included, freeing their leases: for a host moving to vsock
 * mode (recording the mode is the caller's). The result is the NICs it had.
 */
export function releaseHostEdit(range: ResolvedRange, hostName: string): RangeEdit<ResolvedInterface[]> {
  const host = range.hosts.find((h) => h.name === hostName);
  if (!host) throw new CyrangeError('CYR_NOT_FOUND', `no host "${hostName}" in "${range.instance}"`);
  const hosts = range.hosts.map((h) => (h === host ? { ...h, interfaces: [] } : h));
  return { range: deepFreeze({ ...range, hosts }), result: [...host.interfaces] };
}
