import { describe, expect, it } from 'vitest';
import { CounterTotals } from './counter-totals.js';

const c = (rx: number, tx: number) => ({ rx_bytes: rx, tx_bytes: tx, rx_packets: rx, tx_packets: tx, rx_dropped: 0, tx_dropped: 0 });

describe('CounterTotals', () => {
  it.each([
    ['growing counters', [c(10, 5), c(20, 7)], c(20, 7)],
    ['one reset', [c(10, 5), c(20, 7), c(3, 1)], c(23, 8)],
    ['two resets', [c(10, 5), c(2, 2), c(4, 4), c(1, 0)], c(15, 9)],
    ['a reset seen in one counter only resets the key', [c(10, 5), c(12, 1)], c(22, 6)],
    ['unchanged counters', [c(10, 5), c(10, 5)], c(10, 5)],
  ])('%s', (_name, readings, want) => {
    const t = new CounterTotals();
    let last = c(0, 0);
    for (const r of readings) last = t.update('k', r);
    expect(last).toEqual(want);
    expect(t.get('k')).toEqual(want);
  });

  it('keeps keys apart and forgets by prefix', () => {
    const t = new CounterTotals();
    t.update('a/h/lan', c(10, 10));
    t.update('b/h/lan', c(1, 1));
    t.update('a/h/lan', c(1, 1));
    expect(t.get('a/h/lan')).toEqual(c(11, 11));
    expect(t.get('b/h/lan')).toEqual(c(1, 1));
    t.forget('a/');
    expect(t.get('a/h/lan')).toEqual(c(0, 0));
    expect(t.get('b/h/lan')).toEqual(c(1, 1));
  });
});
