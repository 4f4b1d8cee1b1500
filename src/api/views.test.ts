import { describe, expect, it } from 'vitest';
import type { EngineEvent, RangeRecord } from '../engine/index.js';
import { loadRawRange, resolveRange } from '../model/index.js';
import type { Job } from './jobs.js';
import { jobView, rangeView, statsView, visibleRange } from './views.js';

const resolved = resolveRange(
  loadRawRange(`
name: t
networks:
  - { name: lan, subnet: 10.0.1.0/24 }
vms:
  - { name: web, interfaces: [{ network: lan }] }
  - { name: vault, hidden: true, interfaces: [{ network: lan, ip: 10.0.1.99 }] }
policies:
  - { host: vault, direction: ingress, action: deny }
  - { host: web, direction: ingress, action: allow, protocol: tcp, port: 80 }
`),
);
const rec: RangeRecord = { id: 1, instance: 't', status: 'running', resolved, source: '', kind: 'range', owner: 'ins' };
const student = { see: true, manage: false };
const owner = { see: true, manage: true };

const step = (name: string): EngineEvent => ({ kind: 'step', op: 'deploy', instance: 't', step: name, status: 'done' });
const job: Job = {
  id: 'j',
  op: 'deploy',
  instance: 't',
  owner: 'ins',
  status: 'failed',
  events: [step('network'), step('hosts:create'), step('host:web'), step('host:vault')],
  result: {
    steps: [
      { step: 'host:web', status: 'done', ms: 1 },
      { step: 'host:vault', status: 'failed', ms: 1 },
    ],
  },
  error: { code: 'CYR_RUNTIME', message: 'host "vault": create failed' },
  startedAt: '',
  finishedAt: null,
  durationMs: null,
};

describe('views by caller', () => {
  it.each([
    ['a student', student, ['web']],
    ['the owner', owner, ['web', 'vault']],
  ])('%s sees hosts %j', (_who, rights, hosts) => {
    const seen = visibleRange(rec, rights);
    expect(seen.resolved.hosts.map((h) => h.name)).toEqual(hosts);
    expect(rangeView(seen).host_count).toBe(hosts.length);
  });

  it('leaves out the policies aimed at a hidden host, and its address', () => {
    const seen = visibleRange(rec, student);
    expect(seen.resolved.policies.map((p) => p.target.name)).toEqual(['web']);
    expect(JSON.stringify(seen)).not.toMatch(/vault|10\.0\.1\.99/);
  });

  it('gives a student a job without the hidden host steps, events or error', () => {
    const v = jobView(job, rec, visibleRange(rec, student));
    expect(v.events.map((e) => e.step)).toEqual(['network', 'hosts:create', 'host:web']);
    expect((v.result as { steps: Array<{ step: string }> }).steps.map((s) => s.step)).toEqual(['host:web']);
    expect(JSON.stringify(v)).not.toContain('vault');
  });

  it('gives the owner all of a job', () => {
    expect(jobView(job, rec, rec)).toMatchObject({ events: job.events, error: job.error, result: job.result });
  });

  it('keeps only the NIC counters of visible hosts', () => {
    const zero = { rx_bytes: 0, tx_bytes: 0, rx_packets: 0, tx_packets: 0, rx_dropped: 0, tx_dropped: 0 };
    const rows = ['web', 'vault'].map((host) => ({ host, network: 'lan', ifname: 'eth0', present: true, ...zero, total: zero }));
    expect(statsView(visibleRange(rec, student), rows).map((r) => r.host)).toEqual(['web']);
    expect(statsView(rec, rows).map((r) => r.host)).toEqual(['web', 'vault']);
  });
});
