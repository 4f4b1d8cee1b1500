import { describe, expect, it } from 'vitest';
import { loadRawRange } from './blueprint.js';
import { addHostTo } from './host-edit.js';
import { addInterfaceTo } from './nic-edit.js';
import { resolveRange } from './resolve.js';

const blueprint = (rateLimit: string) =>
  `name: rl\nnetworks:\n  - { name: lan, subnet: 10.9.0.0/24 }\nvms:\n  - name: a\n    interfaces:\n      - { network: lan${rateLimit} }\n`;

describe('per-NIC rate limits in the model', () => {
  it.each([
    ['', null],
    [', rate_limit: {}', null],
    [', rate_limit: { ingress_mbps: 20 }', { ingressMbps: 20, egressMbps: null, burstKb: 32 }],
    [', rate_limit: { egress_mbps: 0.5, burst_kb: 64 }', { ingressMbps: null, egressMbps: 0.5, burstKb: 64 }],
    [', rate_limit: { ingress_mbps: 20, egress_mbps: 10 }', { ingressMbps: 20, egressMbps: 10, burstKb: 32 }],
  ])('resolves interface%s', (extra, want) => {
    expect(resolveRange(loadRawRange(blueprint(extra))).hosts[0]?.interfaces[0]?.rateLimit).toEqual(want);
  });

  it.each([
    [', rate_limit: { ingress_mbps: 0 }', 'vms[0].interfaces[0].rate_limit.ingress_mbps'],
    [', rate_limit: { egress_mbps: -1 }', 'vms[0].interfaces[0].rate_limit.egress_mbps'],
    [', rate_limit: { ingress_mbps: 1, rate: 3 }', 'vms[0].interfaces[0].rate_limit'],
  ])('refuses interface%s at %s', (extra, path) => {
    let problems: Array<{ path: string }> = [];
    try {
      loadRawRange(blueprint(extra));
    } catch (e) {
      problems = (e as { problems: Array<{ path: string }> }).problems;
    }
    expect(problems.map((p) => p.path)).toContain(path);
  });

  it('keeps a limit when another host is added (the range is re-resolved from raw)', () => {
    const r = resolveRange(loadRawRange(blueprint(', rate_limit: { ingress_mbps: 5, burst_kb: 16 }')));
    const { range } = addHostTo(r, { name: 'b', interfaces: [{ network: 'lan' }] });
    expect(range.hosts.find((h) => h.name === 'a')?.interfaces[0]?.rateLimit).toEqual({ ingressMbps: 5, egressMbps: null, burstKb: 16 });
    expect(range.hosts.find((h) => h.name === 'b')?.interfaces[0]?.rateLimit).toBeNull();
  });

  it('gives an added NIC no limit', () => {
    const r = resolveRange(
      loadRawRange(
        `${blueprint('')}  - name: z\n    interfaces: [{ network: lan }]\n`.replace(
          'networks:\n',
          'networks:\n  - { name: dmz, subnet: 10.8.0.0/24 }\n',
        ),
      ),
    );
    expect(addInterfaceTo(r, 'a', 'dmz').nic.rateLimit).toBeNull();
  });
});
