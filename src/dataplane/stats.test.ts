import { describe, expect, it } from 'vitest';
import { loadRawRange, resolveRange } from '../model/index.js';
import { nicStatsFrom } from './stats.js';

const range = resolveRange(
  loadRawRange(
    'name: s\nnetworks:\n  - { name: lan, subnet: 10.9.0.0/24 }\nvms:\n  - { name: a, interfaces: [{ network: lan }] }\n  - { name: b, interfaces: [{ network: lan }] }\n',
  ),
);
const [a, b] = range.hosts;
const dir = (bytes: number, packets: number, dropped: number) => ({ bytes, packets, dropped });

describe('nicStatsFrom', () => {
  it('swaps rx and tx of the range end, and skips NICs whose veth is missing', () => {
    const links = [
      { ifname: 'lo', stats64: { rx: dir(1, 1, 0), tx: dir(1, 1, 0) } },
      { ifname: a?.interfaces[0]?.peer ?? '', stats64: { rx: dir(1000, 10, 1), tx: dir(500, 5, 2) } },
    ];
    expect(nicStatsFrom(links, range.hosts)).toEqual([
      {
        host: 'a',
        network: 'lan',
        ifname: 'eth0',
        rx_bytes: 500,
        tx_bytes: 1000,
        rx_packets: 5,
        tx_packets: 10,
        rx_dropped: 2,
        tx_dropped: 1,
      },
    ]);
    expect(b).toBeDefined();
  });
});
