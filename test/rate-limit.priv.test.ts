import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, inNs, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const ns = (instance: string, host?: string) => (host ? `cyr_${instance}_${host}` : `cyr_${instance}`);
const A = '10.77.0.10';
const B = '10.77.0.11';

const BLUEPRINT = `name: ratelimit
networks:
  - { name: lan, subnet: 10.77.0.0/24 }
vms:
  - name: a
    runtime: netns
    interfaces:
      - { network: lan, ip: ${A}, rate_limit: { ingress_mbps: 20, egress_mbps: 10 } }
  - name: b
    runtime: netns
    interfaces:
      - { network: lan, ip: ${B} }
`;

interface StatsRow {
  host: string;
  network: string;
  ifname: string;
  rx_bytes: number;
  tx_bytes: number;
  rx_packets: number;
  tx_packets: number;
  total: { rx_bytes: number; tx_bytes: number };
}

describe.skipIf(!IS_ROOT)('per-NIC rate limits and stats on the real kernel', () => {
  const state = tempStateDir();
  const name = uniqueName('rl');
  const file = join(state.dir, 'rl.yaml');
  const pidFiles: string[] = [];
  /** Measured figures, printed at the end for the record. */
  const measured: string[] = [];

  /**
   * Mbit/s that host a measured with iperf3 against a server in b: `send` is what a sends
   * (its egress), otherwise what it receives (`-R`, its ingress). Receiver-side figure.
   */
  async function throughput(direction: 'send' | 'receive', seconds = 3): Promise<number> {
    // A fresh port each time: the previous one-off server may still be closing its own.
    const port = String(5201 + pidFiles.length);
    const pidFile = join(state.dir, `iperf3-${pidFiles.length}.pid`);
    pidFiles.push(pidFile);
    const srv = await inNs(ns(name, 'b'), ['iperf3', '-s', '-1', '-D', '-B', B, '-p', port, '-I', pidFile]);
    expect(srv.code, srv.stderr).toBe(0);
    // `-O 1` leaves out the first second: slow start and the bucket's initial burst skew it.
    const args = ['iperf3', '-c', B, '-p', port, '-t', String(seconds), '-O', '1', '-J', ...(direction === 'receive' ? ['-R'] : [])];
    type Report = { end?: { sum_received?: { bits_per_second: number } }; error?: string };
    // The daemon needs a moment to listen; a refused connect is retried.
    let last = '';
    const json = await waitFor(async () => {
      const x = await inNs(ns(name, 'a'), args);
      last = x.stdout + x.stderr;
      const report = JSON.parse(x.stdout || '{}') as Report;
      return x.code === 0 && report.end?.sum_received ? report.end.sum_received : null;
    }, 5_000);
    expect(json, last).toBeTruthy();
    const mbps = (json?.bits_per_second ?? 0) / 1e6;
    measured.push(`${direction} ${mbps.toFixed(2)} Mbit/s`);
    return mbps;
  }

  /** A shaped rate lands within a band around its limit: TCP on a token bucket runs a little under it. */
  function expectNear(mbps: number, limit: number): void {
    expect(mbps).toBeGreaterThan(limit * 0.85);
    expect(mbps).toBeLessThan(limit * 1.1);
  }

  async function stats(): Promise<StatsRow[]> {
    const r = await cli(['stats', name, '--json'], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as StatsRow[];
  }

  /** Counters of a host's own eth0, read inside its namespace. */
  async function ownCounters(host: string): Promise<{ rx_bytes: number; tx_bytes: number }> {
    const r = await inNs(ns(name, host), ['ip', '-s', '-json', 'link', 'show', 'dev', 'eth0']);
    const s = (JSON.parse(r.stdout) as Array<{ stats64: { rx: { bytes: number }; tx: { bytes: number } } }>)[0]?.stats64;
    return { rx_bytes: s?.rx.bytes ?? -1, tx_bytes: s?.tx.bytes ?? -1 };
  }

  beforeAll(async () => {
    writeFileSync(file, BLUEPRINT);
    const r = await cli(['deploy', file, '--name', name], { stateDir: state.dir });
    expect(r.stderr + r.stdout).toContain(`deployed ${name}`);
  });

  afterAll(async () => {
    for (const f of pidFiles) {
      try {
        process.kill(Number(readFileSync(f, 'utf8').trim()), 'SIGKILL');
      } catch {}
    }
    await cli(['destroy', name], { stateDir: state.dir });
    state.cleanup();
    console.log(`rate-limit measurements: ${measured.join('; ')}`);
    expect((await runCmd(['ip', 'netns', 'list'])).stdout).not.toContain(name);
  });

  it('shapes what the host sends to its egress limit (10 Mbit/s)', async () => {
    expectNear(await throughput('send'), 10);
  });

  it('shapes what the host receives to its ingress limit (20 Mbit/s)', async () => {
    expectNear(await throughput('receive'), 20);
  });

  it('puts the qdiscs on the range side, tagged, where the guest cannot touch them', async () => {
    const q = await runCmd(['tc', '-n', ns(name), 'qdisc', 'show']);
    expect(q.stdout).toMatch(/qdisc tbf .* rate 20Mbit/);
    expect(q.stdout).toMatch(/qdisc tbf .* dev ifb[0-9a-f]{11} .* rate 10Mbit/);
    const links = JSON.parse((await runCmd(['ip', '-n', ns(name), '-json', 'link', 'show', 'type', 'ifb'])).stdout) as Array<{
      ifalias?: string;
    }>;
    expect(links.map((l) => l.ifalias)).toEqual([`cyrange:${name}:a:lan`]);
    expect((await inNs(ns(name, 'a'), ['tc', 'qdisc', 'show', 'dev', 'eth0'])).stdout).not.toContain('tbf');
  });

  it('changes the limit of the running range from the CLI, and re-applying is idempotent', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await cli(['limit', name, 'a', 'lan', '--ingress', '8', '--egress', '4'], { stateDir: state.dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('ingress 8 Mbit/s, egress 4 Mbit/s, burst 32 KiB');
    }
    const links = JSON.parse((await runCmd(['ip', '-n', ns(name), '-json', 'link', 'show', 'type', 'veth'])).stdout) as Array<{
      ifname: string;
      ifalias?: string;
    }>;
    const peer = links.find((l) => l.ifalias === `cyrange:${name}:a:lan`)?.ifname ?? 'missing';
    const filters = await runCmd(['tc', '-n', ns(name), 'filter', 'show', 'dev', peer, 'ingress']);
    expect(filters.stdout.match(/mirred/g)).toHaveLength(1);
    expectNear(await throughput('send'), 4);
    expectNear(await throughput('receive'), 8);
    const shown = await cli(['limit', name, 'a', 'lan', '--json'], { stateDir: state.dir });
    expect(JSON.parse(shown.stdout).rateLimit).toEqual({ ingressMbps: 8, egressMbps: 4, burstKb: 32 });
  });

  it('clears the limit', async () => {
    const r = await cli(['limit', name, 'a', 'lan', '--clear'], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('unlimited');
    const q = await runCmd(['tc', '-n', ns(name), 'qdisc', 'show']);
    expect(q.stdout).not.toContain('tbf');
    expect(q.stdout).not.toContain('ingress');
    expect((await runCmd(['ip', '-n', ns(name), '-json', 'link', 'show', 'type', 'ifb'])).stdout.trim()).toBe('[]');
    expect(await throughput('send', 1)).toBeGreaterThan(50);
  });

  it('counts a ping flood in the stats of both hosts, in the right direction', async () => {
    const N = 500;
    const before = await stats();
    const ping = await inNs(ns(name, 'a'), ['ping', '-f', '-q', '-c', String(N), '-s', '1000', B]);
    expect(ping.code, ping.stdout + ping.stderr).toBe(0);
    const after = await stats();
    const row = (rows: StatsRow[], host: string) => rows.find((r) => r.host === host && r.network === 'lan') as StatsRow;
    const d = (host: string, k: 'rx_packets' | 'tx_packets' | 'rx_bytes' | 'tx_bytes') => row(after, host)[k] - row(before, host)[k];
    // a sent N requests and received N replies; b the other way round. 1000 bytes of payload each.
    for (const host of ['a', 'b']) {
      expect(d(host, 'tx_packets')).toBeGreaterThanOrEqual(N);
      expect(d(host, 'rx_packets')).toBeGreaterThanOrEqual(N);
      expect(d(host, 'tx_bytes')).toBeGreaterThanOrEqual(N * 1000);
      expect(d(host, 'rx_bytes')).toBeGreaterThanOrEqual(N * 1000);
    }
    // The direction is the host's own: its eth0 counters, read inside it, say the same. The
    // iperf3 runs made them lopsided, so swapped rx/tx could not pass.
    for (const host of ['a', 'b']) {
      const own = await ownCounters(host);
      expect(Math.abs(own.rx_bytes - own.tx_bytes)).toBeGreaterThan(1_000_000);
      const mine = row(await stats(), host);
      // A stray ARP or IPv6 packet may pass between the two reads.
      expect(Math.abs(mine.tx_bytes - own.tx_bytes)).toBeLessThanOrEqual(1000);
      expect(Math.abs(mine.rx_bytes - own.rx_bytes)).toBeLessThanOrEqual(1000);
    }
    // The table form.
    const table = await cli(['stats', name], { stateDir: state.dir });
    expect(table.stdout).toMatch(/^HOST\s+NETWORK\s+IFNAME\s+RX_BYTES\s+TX_BYTES/);
    expect(table.stdout).toMatch(/\na\s+lan\s+eth0\s+\d+/);
  });

  it('releasing a limited NIC (the host moves to vsock) removes its ifb too', async () => {
    expect((await cli(['limit', name, 'a', 'lan', '--egress', '5'], { stateDir: state.dir })).code).toBe(0);
    expect((await runCmd(['ip', '-n', ns(name), '-json', 'link', 'show', 'type', 'ifb'])).stdout.trim()).not.toBe('[]');
    const r = await cli(['host', 'vsock', name, 'a'], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    expect((await runCmd(['ip', '-n', ns(name), '-json', 'link', 'show', 'type', 'ifb'])).stdout.trim()).toBe('[]');
  });
});
