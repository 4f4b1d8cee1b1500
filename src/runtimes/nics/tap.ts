import { PassThrough, Readable } from 'node:stream';
import { type ObservedNic, applyHostRateLimits, applyRateLimit, clearRateLimit, unwireNic, wireTaps } from '../../dataplane/index.js';
import type { ResolvedHost, ResolvedInterface } from '../../model/index.js';
import type { ExecOptions, HostState, RangeContext } from '../runtime.js';
import type { NicAttachment } from './attachment.js';

/** What a TAP attachment needs of its VM: hot-plug and unplug of one NIC, its state, and exec in the guest. */
export interface GuestNics {
  plug(ctx: RangeContext, host: ResolvedHost, nic: ResolvedInterface): Promise<void>;
  unplug(ctx: RangeContext, host: ResolvedHost, nic: ResolvedInterface): Promise<void>;
  state(ctx: RangeContext, host: ResolvedHost): Promise<HostState>;
  exec(ctx: RangeContext, host: ResolvedHost, argv: readonly string[], opts: ExecOptions): Promise<number>;
}

/** Lines "IFNAME MAC OPERSTATE ADDR/PREFIX…" for each NIC, printed inside a guest. */
const GUEST_NIC_SCRIPT = [
  'for d in /sys/class/net/*; do n=$(basename "$d"); [ "$n" = lo ] && continue',
  `echo "$n $(cat "$d/address") $(cat "$d/operstate") $(ip -o -4 addr show dev "$n" | awk '{print $4}' | tr '\\n' ' ')"`,
  'done',
].join('; ');

/** A VM's NICs as its guest sees them, read over its control channel; none when it does not answer. */
async function observeGuest(guest: GuestNics, rctx: RangeContext, host: ResolvedHost): Promise<ObservedNic[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (d: Buffer) => chunks.push(d));
  try {
    const code = await guest.exec(rctx, host, ['sh', '-c', GUEST_NIC_SCRIPT], {
      stdin: Readable.from([]),
      stdout: out,
      stderr: new PassThrough(),
    });
    if (code !== 0) return [];
  } catch {
    return [];
  }
  return Buffer.concat(chunks)
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [ifname = '', mac = '', operstate = '', ...ipv4] = line.trim().split(/\s+/);
      return { ifname, mac, operstate: operstate.toUpperCase(), ipv4 };
    });
}

/**
 * TAPs in the range namespace, on the range bridges, that the host's VM opens itself. They outlive
 * the VM (re-attaching is idempotent and repairs a lost one); guests configure their own NICs from
 * the boot arguments, so the host side only limits them. Used by `microvm` hosts.
 */
export function tapNics(guest: GuestNics): NicAttachment {
  return {
    wire: (range, hosts) =>
      wireTaps(
        range,
        hosts.map((h) => h.host),
      ),

    rewire: (range, h) => wireTaps(range, [h.host]),

    configure: (rctx, h) => applyHostRateLimits(rctx.instance, h.host),

    startClients() {},

    async plug(rctx, range, host, nic, state) {
      // A stopped VM gets its new NIC at its next start.
      await wireTaps(range, [{ ...host, interfaces: [nic] }]);
      if (nic.rateLimit) await applyRateLimit(range.instance, host.name, nic);
      if (state === 'running') await guest.plug(rctx, host, nic);
    },

    async unplug(rctx, host, nic) {
      if ((await guest.state(rctx, host)) === 'running') await guest.unplug(rctx, host, nic);
      await unwireNic(rctx.instance, nic.peer).catch(() => {});
      await clearRateLimit(rctx.instance, host.name, nic).catch(() => {});
    },

    async detach() {
      // The TAPs stay for the rebuilt VM, which re-attaches them.
    },

    async observe(rctx, hosts) {
      const seen = await Promise.all(hosts.map(async ({ host, state }) => (state === 'running' ? observeGuest(guest, rctx, host) : [])));
      return new Map(hosts.map(({ host }, i) => [host.name, seen[i] ?? []]));
    },
  };
}
