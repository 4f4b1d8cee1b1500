// What changes between a deployed range and a changed blueprint of the same instance. Pure.
import type { NetworkMode } from './schema.js';
import type { RateLimit, ResolvedHost, ResolvedInterface, ResolvedNetwork, ResolvedRange } from './types.js';

/**
 * One change between a deployed range and its changed blueprint, in the order it is applied.
 * Everything but `replace` is applied to the running range in place; `replace` cannot be, and is
 * applied only when asked (a host is recreated, or for a network the whole range is rebuilt).
 */
export type RangeChange =
  | {
      readonly kind: 'replace';
      readonly target: 'network' | 'host' | 'range';
      readonly name: string;
      /** The blueprint field that forces it (`networks[1].subnet`, `vms[0].runtime`). */
      readonly path: string;
      readonly from: string;
      readonly to: string;
    }
  | { readonly kind: 'host-remove'; readonly host: string }
  /** Fields whose change recreates the host (a new sandbox, container or VM with the same NICs). */
  | { readonly kind: 'host-recreate'; readonly host: string; readonly fields: readonly string[] }
  | { readonly kind: 'nic-remove'; readonly host: string; readonly network: string; readonly ip: string | null }
  | { readonly kind: 'network-add'; readonly network: string; readonly subnet: string }
  /** A host moving to another network mode with its NICs (none in vsock mode): restarted, its data kept. */
  | {
      readonly kind: 'host-mode';
      readonly host: string;
      readonly from: NetworkMode;
      readonly to: NetworkMode;
    }
  /** A NIC whose address or MAC changes: removed and added again. */
  | {
      readonly kind: 'nic-readdress';
      readonly host: string;
      readonly network: string;
      readonly from: string;
      readonly to: string;
    }
  | { readonly kind: 'nic-add'; readonly host: string; readonly network: string; readonly ip: string | null }
  | { readonly kind: 'host-add'; readonly host: string }
  | {
      readonly kind: 'rate-limit';
      readonly host: string;
      readonly network: string;
      readonly from: RateLimit | null;
      readonly to: RateLimit | null;
    }
  | { readonly kind: 'network-remove'; readonly network: string; readonly subnet: string }
  /** Fields that change only what is recorded and served (`hidden`, `vnc_port`, a network's `dns`…). */
  | { readonly kind: 'update'; readonly target: 'host' | 'network' | 'range'; readonly name: string; readonly fields: readonly string[] }
  | { readonly kind: 'routes'; readonly from: readonly string[]; readonly to: readonly string[] }
  | { readonly kind: 'policies'; readonly from: number; readonly to: number };

/** The changes from one resolved range to another of the same instance. */
export interface RangeDiff {
  readonly instance: string;
  readonly changes: readonly RangeChange[];
}

/** Order in which changes are listed and applied: what frees names and addresses comes before what takes them. */
const ORDER: readonly RangeChange['kind'][] = [
  'replace',
  'host-remove',
  'host-recreate',
  'nic-remove',
  'network-add',
  'host-mode',
  'nic-readdress',
  'nic-add',
  'host-add',
  'rate-limit',
  'network-remove',
  'update',
  'routes',
  'policies',
];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Network fields the kernel objects are built from: changing one rebuilds the range. */
const NETWORK_REPLACE: ReadonlyArray<[string, (n: ResolvedNetwork) => unknown]> = [
  ['subnet', (n) => n.subnet],
  ['gateway', (n) => n.gateway],
  ['egress', (n) => n.egress],
  ['dhcp', (n) => n.dhcp],
  ['host_bridge', (n) => n.hostBridge],
];
/** Network fields that only change what is served (guest config) or allocated next. */
const NETWORK_UPDATE: ReadonlyArray<[string, (n: ResolvedNetwork) => unknown]> = [
  ['dns', (n) => n.dns],
  ['reserved', (n) => n.reserved ?? []],
];
/** Host fields the workload is started from: changing one recreates the host. */
const HOST_RECREATE: ReadonlyArray<[string, (h: ResolvedHost) => unknown]> = [
  ['image', (h) => h.image],
  ['command', (h) => h.command],
  ['env', (h) => h.env],
  ['resources', (h) => h.resources],
  ['rootfs', (h) => h.rootfs ?? null],
  ['sandbox', (h) => h.sandbox ?? null],
  ['microvm', (h) => h.microvm ?? null],
  ['users', (h) => h.users ?? []],
  ['ip_forward', (h) => h.ipForward],
];
/** Host fields that are only recorded. */
const HOST_UPDATE: ReadonlyArray<[string, (h: ResolvedHost) => unknown]> = [
  ['hidden', (h) => h.hidden],
  ['vnc_port', (h) => h.vncPort],
  ['plugin', (h) => h.plugin],
  ['network', (h) => ({ ...h.network, mode: undefined })],
];

/** How the NICs a host keeps are recorded: their order and whether an address is static or auto (same address). */
function keptNics(a: ResolvedHost, b: ResolvedHost): [unknown, unknown] {
  const common = (x: ResolvedHost, y: ResolvedHost) =>
    x.interfaces.filter((n) => y.interfaces.some((m) => m.network === n.network)).map((n) => [n.network, n.addressing]);
  return [common(a, b), common(b, a)];
}

function changedFields<T>(a: T, b: T, fields: ReadonlyArray<[string, (x: T) => unknown]>): string[] {
  return fields.filter(([, get]) => !same(get(a), get(b))).map(([name]) => name);
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return 'none';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** How a NIC is addressed, for a re-address line: its IP (or `dhcp`) and MAC. */
function nicAddress(n: ResolvedInterface): string {
  return `${n.ip ?? 'dhcp'} ${n.mac}`;
}

const routeKey = ([a, b]: readonly [string, string]) => (a < b ? `${a}-${b}` : `${b}-${a}`);

function diffNics(a: ResolvedHost, b: ResolvedHost, out: RangeChange[]): void {
  const before = new Map(a.interfaces.map((n) => [n.network, n]));
  const after = new Map(b.interfaces.map((n) => [n.network, n]));
  for (const n of a.interfaces) if (!after.has(n.network)) out.push({ kind: 'nic-remove', host: a.name, network: n.network, ip: n.ip });
  for (const n of b.interfaces) {
    const old = before.get(n.network);
    if (!old) {
      out.push({ kind: 'nic-add', host: b.name, network: n.network, ip: n.ip });
      continue;
    }
    if (old.ip !== n.ip || old.mac !== n.mac || old.ifname !== n.ifname || old.peer !== n.peer || old.prefix !== n.prefix)
      out.push({ kind: 'nic-readdress', host: b.name, network: n.network, from: nicAddress(old), to: nicAddress(n) });
    else if (!same(old.rateLimit ?? null, n.rateLimit ?? null))
      out.push({ kind: 'rate-limit', host: b.name, network: n.network, from: old.rateLimit ?? null, to: n.rateLimit ?? null });
  }
}

/**
 * Lists what changes from `from` (the deployed range) to `to` (its changed blueprint, resolved for the
 * same instance with `from` pinned, so unchanged NICs keep their addresses and names): networks,
 * hosts and NICs added or removed, NICs re-addressed, rate limits, routes and policies, fields that
 * are only recorded, and what cannot change in place (`replace`: a network's subnet, gateway,
 * egress, DHCP or host bridge, a host's runtime, the range's resource cap).
 */
export function diffRanges(from: ResolvedRange, to: ResolvedRange): RangeDiff {
  const out: RangeChange[] = [];
  const nets = new Map(from.networks.map((n) => [n.name, n]));
  const newNets = new Set(to.networks.map((n) => n.name));
  to.networks.forEach((n, i) => {
    const old = nets.get(n.name);
    if (!old) {
      out.push({ kind: 'network-add', network: n.name, subnet: n.subnet });
      return;
    }
    for (const [field, get] of NETWORK_REPLACE)
      if (!same(get(old), get(n)))
        out.push({
          kind: 'replace',
          target: 'network',
          name: n.name,
          path: `networks[${i}].${field}`,
          from: show(get(old)),
          to: show(get(n)),
        });
    const upd = changedFields(old, n, NETWORK_UPDATE);
    if (upd.length) out.push({ kind: 'update', target: 'network', name: n.name, fields: upd });
  });
  for (const n of from.networks) if (!newNets.has(n.name)) out.push({ kind: 'network-remove', network: n.name, subnet: n.subnet });

  const hosts = new Map(from.hosts.map((h) => [h.name, h]));
  const newHosts = new Set(to.hosts.map((h) => h.name));
  for (const h of from.hosts) if (!newHosts.has(h.name)) out.push({ kind: 'host-remove', host: h.name });
  to.hosts.forEach((h, i) => {
    const old = hosts.get(h.name);
    if (!old) {
      out.push({ kind: 'host-add', host: h.name });
      return;
    }
    if (old.runtime !== h.runtime) {
      out.push({ kind: 'replace', target: 'host', name: h.name, path: `vms[${i}].runtime`, from: old.runtime, to: h.runtime });
      return;
    }
    const recreate = changedFields(old, h, HOST_RECREATE);
    const modeChanged = old.network.mode !== h.network.mode;
    // A new primary network renames every NIC: the host is made again.
    if (!modeChanged && old.interfaces[0]?.network !== h.interfaces[0]?.network) recreate.push('interfaces[0].network');
    if (recreate.length) {
      out.push({ kind: 'host-recreate', host: h.name, fields: modeChanged ? [...recreate, 'network.mode'] : recreate });
      return;
    }
    if (modeChanged) {
      out.push({ kind: 'host-mode', host: h.name, from: old.network.mode, to: h.network.mode });
      // The mode's own settings (subnet, gateway, auto_assign) go with it.
      const upd = changedFields(old, h, HOST_UPDATE).filter((f) => f !== 'network');
      if (upd.length) out.push({ kind: 'update', target: 'host', name: h.name, fields: upd });
      return;
    }
    diffNics(old, h, out);
    const upd = changedFields(old, h, HOST_UPDATE);
    const [nicsBefore, nicsAfter] = keptNics(old, h);
    if (!same(nicsBefore, nicsAfter)) upd.push('interfaces');
    if (upd.length) out.push({ kind: 'update', target: 'host', name: h.name, fields: upd });
  });

  const routesFrom = from.routes.map(routeKey).sort();
  const routesTo = to.routes.map(routeKey).sort();
  if (!same(routesFrom, routesTo)) out.push({ kind: 'routes', from: routesFrom, to: routesTo });
  if (!same(from.policies, to.policies)) out.push({ kind: 'policies', from: from.policies.length, to: to.policies.length });
  if (!same(from.resources ?? null, to.resources ?? null))
    out.push({
      kind: 'replace',
      target: 'range',
      name: to.instance,
      path: 'resources',
      from: show(from.resources ?? null),
      to: show(to.resources ?? null),
    });
  const rangeFields = changedFields(from, to, [
    ['name', (r) => r.name],
    ['description', (r) => r.description],
  ]);
  if (rangeFields.length) out.push({ kind: 'update', target: 'range', name: to.instance, fields: rangeFields });
  // A stable sort keeps the blueprint's order within each kind.
  out.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  return { instance: to.instance, changes: out };
}

/** The changes that cannot be applied in place. */
export function replacementsOf(diff: RangeDiff): Extract<RangeChange, { kind: 'replace' }>[] {
  return diff.changes.filter((c): c is Extract<RangeChange, { kind: 'replace' }> => c.kind === 'replace');
}

/** Whether applying the diff rebuilds the whole range (a network or the range's cap cannot change in place). */
export function rebuildsRange(diff: RangeDiff): boolean {
  return replacementsOf(diff).some((c) => c.target !== 'host');
}

function showLimit(l: RateLimit | null): string {
  if (!l) return 'unlimited';
  return `in ${l.ingressMbps ?? '∞'} / out ${l.egressMbps ?? '∞'} Mbit/s, burst ${l.burstKb} KiB`;
}

/** One line for a change, as `plan` prints it: `+` added, `-` removed, `~` changed in place, `!` replaced. */
export function describeChange(c: RangeChange): string {
  switch (c.kind) {
    case 'replace':
      return `! replace ${c.target} ${c.name}: ${c.path} ${c.from} → ${c.to} (${c.target === 'host' ? 'the host is recreated' : 'the range is rebuilt'}; needs --replace)`;
    case 'host-remove':
      return `- host ${c.host}`;
    case 'host-recreate':
      return `~ host ${c.host}: ${c.fields.join(', ')} (recreated)`;
    case 'nic-remove':
      return `- nic ${c.host}/${c.network} ${c.ip ?? 'dhcp'}`;
    case 'network-add':
      return `+ network ${c.network} ${c.subnet}`;
    case 'host-mode':
      return `~ host ${c.host}: network mode ${c.from} → ${c.to} (restarted${c.to === 'vsock' ? ', NICs and addresses released' : ', NICs allocated'})`;
    case 'nic-readdress':
      return `~ nic ${c.host}/${c.network} ${c.from} → ${c.to}`;
    case 'nic-add':
      return `+ nic ${c.host}/${c.network} ${c.ip ?? 'dhcp'}`;
    case 'host-add':
      return `+ host ${c.host}`;
    case 'rate-limit':
      return `~ limit ${c.host}/${c.network} ${showLimit(c.from)} → ${showLimit(c.to)}`;
    case 'network-remove':
      return `- network ${c.network} ${c.subnet}`;
    case 'update':
      return `~ ${c.target} ${c.name}: ${c.fields.join(', ')}`;
    case 'routes':
      return `~ routes [${c.from.join(', ')}] → [${c.to.join(', ')}]`;
    case 'policies':
      return `~ policies (${c.from} → ${c.to} rules)`;
    default: {
      const never: never = c;
      return never;
    }
  }
}
