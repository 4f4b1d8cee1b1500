import type { NicCounters } from '../dataplane/index.js';

const FIELDS = ['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets', 'rx_dropped', 'tx_dropped'] as const;

const ZERO: NicCounters = { rx_bytes: 0, tx_bytes: 0, rx_packets: 0, tx_packets: 0, rx_dropped: 0, tx_dropped: 0 };

function add(a: NicCounters, b: NicCounters): NicCounters {
  return Object.fromEntries(FIELDS.map((f) => [f, a[f] + b[f]])) as unknown as NicCounters;
}

/**
 * Running totals of counters that restart from zero when their device is recreated. Any counter
 * of a key going down means a reset: the last values before it are added to that key's base.
 * In memory only; a new instance starts from the current counters.
 */
export class CounterTotals {
  private readonly seen = new Map<string, { base: NicCounters; last: NicCounters }>();

  /** Records the current counters of `key` and returns its totals since first seen. */
  update(key: string, now: NicCounters): NicCounters {
    const s = this.seen.get(key);
    if (!s) {
      this.seen.set(key, { base: ZERO, last: now });
      return now;
    }
    const reset = FIELDS.some((f) => now[f] < s.last[f]);
    const base = reset ? add(s.base, s.last) : s.base;
    this.seen.set(key, { base, last: now });
    return add(base, now);
  }

  /** The totals of `key` without a new reading (zero when never seen). */
  get(key: string): NicCounters {
    const s = this.seen.get(key);
    return s ? add(s.base, s.last) : ZERO;
  }

  /** Forgets every key that starts with `prefix` (a destroyed instance). */
  forget(prefix: string): void {
    for (const k of [...this.seen.keys()]) if (k.startsWith(prefix)) this.seen.delete(k);
  }
}
