/**
 * Guest network config: one host's addressing rendered in the forms guests consume
 * (netplan v2 `network-config`, cloud-init `user-data`, the kernel `ip=` argument, NoCloud/MMDS `meta-data`).
 * Pure: no I/O.
 */
import { Scalar, stringify } from 'yaml';
import { CyrangeError } from './errors.js';
import { netmaskOf } from './ip.js';
import { CRYPT_HASH, USER_NAME } from './schema.js';
import type { ResolvedHost, ResolvedInterface, ResolvedNetwork, ResolvedRange } from './types.js';

/**
 * Guests parse these files with YAML 1.1 readers (PyYAML, libyaml): emit for 1.1 so `yes`/`on` stay strings,
 * and never fold long lines (ssh keys).
 */
const YAML_OPTS = { version: '1.1', lineWidth: 0, minContentWidth: 0 } as const;

/** A single-quoted scalar: an all-digit MAC such as `02:12:34:56:78:90` is a sexagesimal integer in YAML 1.1. */
function quoted(value: string): Scalar<string> {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_SINGLE;
  return s;
}

/** Options shared by the network renderers. */
export interface GuestNetOptions {
  /** Resolvers for NICs whose network lists none. */
  readonly dns?: readonly string[];
}

/** Options of `renderIpArg`: the range (when known) supplies each network's own resolvers. */
export interface IpArgOptions extends GuestNetOptions {
  readonly range?: ResolvedRange;
}

/**
 * The static NIC a host's default route goes through: the primary, or, when the primary has no
 * gateway (a /31 point-to-point link), the first other static NIC that has one; null: no default route.
 */
export function defaultRouteNic(host: ResolvedHost): ResolvedInterface | null {
  const primary = host.interfaces.find((n) => n.primary);
  const nic = primary?.gateway ? primary : host.interfaces.find((n) => n.gateway && n.addressing !== 'dhcp');
  return nic && nic.addressing !== 'dhcp' && nic.ip !== null ? nic : null;
}

/** Resolvers for one NIC: its network's `dns` list, else the fallback. */
function dnsFor(
  nic: ResolvedInterface,
  networks: readonly ResolvedNetwork[] | undefined,
  fallback: readonly string[] | undefined,
): string[] {
  const own = networks?.find((n) => n.name === nic.network)?.dns ?? [];
  return [...(own.length > 0 ? own : (fallback ?? []))];
}

/**
 * The default route's destination. Netplan also takes `default`, but Debian 12's cloud-init (22.4)
 * refuses it in network-config v2 ("Address default is not a valid ip address"); both take this.
 */
const DEFAULT_ROUTE = '0.0.0.0/0';

/**
 * Netplan v2 `network-config` for one host, as netplan and cloud-init (22.4 and later) both read it:
 * NICs matched by MAC and named (`set-name`), static addresses, the default route through the primary's
 * gateway on the primary only, resolvers, `dhcp4` for DHCP NICs.
 */
export function renderNetplan(range: ResolvedRange, host: ResolvedHost, opts: GuestNetOptions = {}): string {
  const ethernets: Record<string, unknown> = {};
  const routed = defaultRouteNic(host);
  for (const nic of host.interfaces) {
    const eth: Record<string, unknown> = { match: { macaddress: quoted(nic.mac) }, 'set-name': nic.ifname };
    if (nic.addressing === 'dhcp' || nic.ip === null) {
      eth.dhcp4 = true;
    } else {
      eth.addresses = [`${nic.ip}/${nic.prefix}`];
      if (nic === routed) eth.routes = [{ to: DEFAULT_ROUTE, via: nic.gateway }];
    }
    const dns = dnsFor(nic, range.networks, opts.dns);
    if (dns.length > 0) eth.nameservers = { addresses: dns };
    ethernets[nic.ifname] = eth;
  }
  return stringify({ network: { version: 2, ethernets } }, YAML_OPTS);
}

/** A user for cloud-init `user-data`. Only an already-hashed password is accepted. */
export interface GuestUser {
  name: string;
  ssh_authorized_keys?: readonly string[];
  /** A crypt(3) hash (`$6$salt$hash`, `$y$...`); plain text is refused. */
  password_hash?: string;
  sudo?: boolean;
  /** Login shell; default `/bin/sh`. */
  shell?: string;
}

/** Options of `renderUserData`. */
export interface UserDataOptions {
  /** Users besides the host's own (`host.users`), after them. */
  users?: readonly GuestUser[];
  /** Defaults to the host's name. */
  hostname?: string;
}

/** Whether a string looks like a crypt(3) password hash rather than a plain-text password. */
export function isCryptHash(value: string): boolean {
  return CRYPT_HASH.test(value);
}

/** A host's own users as `renderUserData` takes them. */
export function guestUsersOf(host: ResolvedHost): GuestUser[] {
  return (host.users ?? []).map((u) => ({
    name: u.name,
    ssh_authorized_keys: u.sshAuthorizedKeys,
    ...(u.passwd !== null ? { password_hash: u.passwd } : {}),
    sudo: u.sudo,
    shell: u.shell,
  }));
}

/**
 * Cloud-init `#cloud-config` user-data: hostname and users — the host's own, then `opts.users` — with
 * ssh keys, a hashed password (`passwd`, unlocked), passwordless sudo and a shell; `ssh_pwauth` when a
 * user has a password, so it logs in over ssh too.
 */
export function renderUserData(host: ResolvedHost, opts: UserDataOptions = {}): string {
  const users = [...guestUsersOf(host), ...(opts.users ?? [])].map((u, i) => {
    if (!USER_NAME.test(u.name)) throw new CyrangeError('CYR_INVALID', `users[${i}].name: "${u.name}" is not a valid user name`);
    const out: Record<string, unknown> = { name: u.name };
    if (u.ssh_authorized_keys && u.ssh_authorized_keys.length > 0) out.ssh_authorized_keys = [...u.ssh_authorized_keys];
    if (u.password_hash !== undefined) {
      if (!isCryptHash(u.password_hash))
        throw new CyrangeError('CYR_INVALID', `users[${i}].password_hash: not a crypt hash; plain-text passwords are never accepted`, {
          hint: 'hash it first, e.g. `openssl passwd -6` or `mkpasswd -m sha-512`',
        });
      out.passwd = u.password_hash;
      out.lock_passwd = false;
    }
    if (u.sudo) out.sudo = 'ALL=(ALL) NOPASSWD:ALL';
    out.shell = u.shell ?? '/bin/sh';
    return out;
  });
  const doc: Record<string, unknown> = { hostname: opts.hostname ?? host.name };
  if (users.length > 0) doc.users = users;
  if (users.some((u) => u.passwd !== undefined)) doc.ssh_pwauth = true;
  return `#cloud-config\n${stringify(doc, YAML_OPTS)}`;
}

/**
 * Kernel `ip=` arguments, one per NIC, space-separated. A static NIC uses all nine fields
 * `ip=<client>::<gw>:<netmask>:<hostname>:<device>:off:<dns0>:<dns1>` (gateway on the primary only);
 * a dhcp NIC is `ip=<device>:dhcp`, or `ip=dhcp` when it is the host's only NIC. A vsock host gives ''.
 */
export function renderIpArg(host: ResolvedHost, opts: IpArgOptions = {}): string {
  const single = host.interfaces.length === 1;
  const routed = defaultRouteNic(host);
  return host.interfaces
    .map((nic) => {
      if (nic.addressing === 'dhcp' || nic.ip === null) return single ? 'ip=dhcp' : `ip=${nic.ifname}:dhcp`;
      const dns = dnsFor(nic, opts.range?.networks, opts.dns);
      const gw = nic === routed ? nic.gateway : '';
      const fields = [nic.ip, '', gw, netmaskOf(nic.prefix), host.name, nic.ifname, 'off', dns[0] ?? '', dns[1] ?? ''];
      return `ip=${fields.join(':')}`;
    })
    .join(' ');
}

/** NoCloud/MMDS `meta-data` of one host. */
export interface GuestMetaData {
  readonly 'instance-id': string;
  readonly 'local-hostname': string;
  readonly hostname: string;
}

/** NoCloud/MMDS `meta-data` as an object. */
export function renderMetaData(range: ResolvedRange, host: ResolvedHost): GuestMetaData {
  return { 'instance-id': `${range.instance}-${host.name}`, 'local-hostname': host.name, hostname: host.name };
}

/** NoCloud `meta-data` as YAML text. */
export function renderMetaDataText(range: ResolvedRange, host: ResolvedHost): string {
  return stringify(renderMetaData(range, host), YAML_OPTS);
}
