import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type Engine, type NicStatsRow, type RangeRecord, mapLimit } from '../engine/index.js';
import type { JobRunner } from './jobs.js';
import { statsView } from './views.js';

/** One background reading: the stored ranges, and the NIC counters of each running one. */
export interface MetricsSample {
  /** When it was taken (ms since the epoch); 0 before the first one. */
  readonly at: number;
  readonly ranges: readonly RangeRecord[];
  readonly nics: ReadonlyMap<string, readonly NicStatsRow[]>;
}

const EMPTY: MetricsSample = { at: 0, ranges: [], nics: new Map() };

/**
 * Reads per-NIC counters of running ranges on a timer, so that `/metrics` and the stats views
 * serve the last reading and a request does no kernel work, however many clients poll.
 */
export class MetricsSampler {
  private current: MetricsSample = EMPTY;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly engine: Pick<Engine, 'list' | 'stats'>,
    readonly intervalMs = 5000,
  ) {}

  /** The last reading. */
  get sample(): MetricsSample {
    return this.current;
  }

  /** Takes a reading now, then one every `intervalMs` until `stop`. */
  start(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a reading in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Takes one reading (joins the one in progress, if any); a range that fails to read keeps its last counters. */
  refresh(): Promise<void> {
    this.running ??= this.read().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async read(): Promise<void> {
    const ranges = await this.engine.list().catch(() => this.current.ranges);
    const nics = new Map<string, readonly NicStatsRow[]>();
    const live = ranges.filter((r) => r.status === 'running');
    await mapLimit(live, 4, async (r) => {
      const rows = await this.engine.stats(r.instance).catch(() => this.current.nics.get(r.instance));
      if (rows) nics.set(r.instance, rows);
    });
    this.current = { at: Date.now(), ranges, nics };
  }
}

const STATUSES = ['planned', 'deploying', 'running', 'failed', 'destroying'] as const;
const RUNTIMES = ['netns', 'docker', 'microvm'] as const;
const COUNTERS = ['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets', 'rx_dropped', 'tx_dropped'] as const;
const BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

/**
 * The Prometheus text for one caller, from the last sample: `seen` maps a stored range to the
 * caller's view of it (null: not theirs), `jobOwner` says whose job durations they get (null: all).
 */
export async function renderMetrics(
  sample: MetricsSample,
  seen: (rec: RangeRecord) => RangeRecord | null,
  jobs: JobRunner,
  jobOwner: string | null,
): Promise<{ contentType: string; text: string }> {
  const registry = new Registry();
  const registers = [registry];
  const ranges = sample.ranges.flatMap((r) => seen(r) ?? []);

  const byStatus = new Gauge({ name: 'cyrange_ranges', help: 'Range instances by status.', labelNames: ['status'], registers });
  for (const s of STATUSES) byStatus.set({ status: s }, ranges.filter((r) => r.status === s).length);

  const byRuntime = new Gauge({
    name: 'cyrange_hosts',
    help: 'Hosts of stored range instances by runtime.',
    labelNames: ['runtime'],
    registers,
  });
  for (const rt of RUNTIMES)
    byRuntime.set(
      { runtime: rt },
      ranges.reduce((n, r) => n + r.resolved.hosts.filter((h) => h.runtime === rt).length, 0),
    );

  const durations = new Histogram({
    name: 'cyrange_job_duration_seconds',
    help: 'Duration of deploy and destroy jobs run by this server.',
    labelNames: ['op'],
    buckets: BUCKETS,
    registers,
  });
  for (const op of ['deploy', 'destroy']) durations.zero({ op });
  for (const d of jobs.durations) if (jobOwner === null || d.owner === jobOwner) durations.observe({ op: d.op }, d.seconds);

  // Per-NIC counters from the host's point of view; totals survive a veth being recreated.
  const labelNames = ['range', 'host', 'network'] as const;
  const nic = COUNTERS.map(
    (c) => new Counter({ name: `cyrange_nic_${c}_total`, help: `NIC ${c.replace('_', ' ')} seen by the host.`, labelNames, registers }),
  );
  for (const r of ranges) {
    for (const row of statsView(r, sample.nics.get(r.instance) ?? [])) {
      const labels = { range: r.instance, host: row.host, network: row.network };
      for (const [i, c] of COUNTERS.entries()) nic[i]?.inc(labels, row.total[c]);
    }
  }

  new Gauge({
    name: 'cyrange_metrics_sampled_timestamp_seconds',
    help: 'When the NIC counters served here were read (they are read in the background).',
    registers,
  }).set(sample.at / 1000);
  return { contentType: registry.contentType, text: await registry.metrics() };
}
