import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../engine/index.js';
import type { JobRunner } from '../jobs.js';

const BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

/** `/healthz` and `/metrics` (Prometheus text format): ranges, hosts and deploy durations. */
export async function metaRoutes(app: FastifyInstance, opts: { engine: Engine; jobs: JobRunner }): Promise<void> {
  const { engine, jobs } = opts;
  app.get('/healthz', { schema: { hide: true } }, async () => {
    await engine.list();
    return { status: 'ok' };
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const ranges = await engine.list();
    const lines: string[] = [];
    lines.push('# HELP cyrange_ranges Range instances by status.', '# TYPE cyrange_ranges gauge');
    const byStatus = new Map<string, number>();
    for (const r of ranges) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    for (const s of ['planned', 'deploying', 'running', 'failed', 'destroying'])
      lines.push(`cyrange_ranges{status="${s}"} ${byStatus.get(s) ?? 0}`);
    lines.push('# HELP cyrange_hosts Hosts of stored range instances by runtime.', '# TYPE cyrange_hosts gauge');
    const byRuntime = new Map<string, number>();
    for (const r of ranges) for (const h of r.resolved.hosts) byRuntime.set(h.runtime, (byRuntime.get(h.runtime) ?? 0) + 1);
    for (const rt of ['netns', 'docker', 'microvm']) lines.push(`cyrange_hosts{runtime="${rt}"} ${byRuntime.get(rt) ?? 0}`);
    lines.push(
      '# HELP cyrange_job_duration_seconds Duration of deploy and destroy jobs run by this server.',
      '# TYPE cyrange_job_duration_seconds histogram',
    );
    for (const op of ['deploy', 'destroy']) {
      const xs = jobs.durations.filter((d) => d.op === op);
      for (const b of BUCKETS)
        lines.push(`cyrange_job_duration_seconds_bucket{op="${op}",le="${b}"} ${xs.filter((d) => d.seconds <= b).length}`);
      lines.push(`cyrange_job_duration_seconds_bucket{op="${op}",le="+Inf"} ${xs.length}`);
      lines.push(`cyrange_job_duration_seconds_sum{op="${op}"} ${xs.reduce((s, d) => s + d.seconds, 0)}`);
      lines.push(`cyrange_job_duration_seconds_count{op="${op}"} ${xs.length}`);
    }
    // Per-NIC counters from the host's point of view; totals survive a veth being recreated.
    const counters = ['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets', 'rx_dropped', 'tx_dropped'] as const;
    const nicLines: string[][] = counters.map((c) => [
      `# HELP cyrange_nic_${c}_total NIC ${c.replace('_', ' ')} seen by the host.`,
      `# TYPE cyrange_nic_${c}_total counter`,
    ]);
    for (const r of ranges.filter((x) => x.status === 'running')) {
      const rows = await engine.stats(r.instance).catch(() => []);
      for (const row of rows) {
        for (const [i, c] of counters.entries())
          nicLines[i]?.push(`cyrange_nic_${c}_total{range="${r.instance}",host="${row.host}",network="${row.network}"} ${row.total[c]}`);
      }
    }
    lines.push(...nicLines.flat());
    return reply.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
  });
}
