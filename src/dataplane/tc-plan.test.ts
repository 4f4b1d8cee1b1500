import { describe, expect, it } from 'vitest';
import { ifbIfname, planRateLimit, tcRate } from './tc-plan.js';

const nic = { network: 'lan', peer: 'v0123456789ab' };
const text = (plan: ReturnType<typeof planRateLimit>) =>
  Object.entries(plan)
    .map(([k, lines]) => `# ${k}\n${(lines as string[][]).map((l) => l.join(' ')).join('\n')}`)
    .join('\n');

describe('tc planner', () => {
  it('names the ifb from the peer, within 15 characters', () => {
    expect(ifbIfname(nic.peer)).toMatch(/^ifb[0-9a-f]{11}$/);
    expect(ifbIfname(nic.peer)).toBe(ifbIfname(nic.peer));
    expect(ifbIfname('v0123456789ac')).not.toBe(ifbIfname(nic.peer));
  });

  it.each([
    [20, '20000kbit'],
    [0.5, '500kbit'],
    [1000, '1000000kbit'],
  ])('rate %s Mbit/s is %s', (mbps, want) => {
    expect(tcRate(mbps)).toBe(want);
  });

  it('both directions: tbf on the peer, ingress redirected to a shaped ifb', () => {
    expect(text(planRateLimit('corp', 'web', nic, { ingressMbps: 20, egressMbps: 10, burstKb: 32 }))).toBe(
      [
        '# remove',
        'tc -n cyr_corp qdisc del dev v0123456789ab handle ffff: ingress',
        '# create',
        `ip -n cyr_corp link add ${ifbIfname(nic.peer)} type ifb`,
        '# apply',
        `ip -n cyr_corp link set ${ifbIfname(nic.peer)} alias cyrange:corp:web:lan up`,
        `tc -n cyr_corp qdisc replace dev ${ifbIfname(nic.peer)} root tbf rate 10000kbit burst 32kb latency 50ms`,
        'tc -n cyr_corp qdisc add dev v0123456789ab handle ffff: ingress',
        `tc -n cyr_corp filter add dev v0123456789ab parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ${ifbIfname(nic.peer)}`,
        'tc -n cyr_corp qdisc replace dev v0123456789ab root tbf rate 20000kbit burst 32kb latency 50ms',
      ].join('\n'),
    );
  });

  it('ingress only: removes what an egress limit left, shapes the peer', () => {
    const p = planRateLimit('corp', 'web', nic, { ingressMbps: 5, egressMbps: null, burstKb: 64 });
    expect(p.remove.map((l) => l.join(' '))).toEqual([
      'tc -n cyr_corp qdisc del dev v0123456789ab handle ffff: ingress',
      `ip -n cyr_corp link del ${ifbIfname(nic.peer)}`,
    ]);
    expect(p.create).toEqual([]);
    expect(p.apply.map((l) => l.join(' '))).toEqual([
      'tc -n cyr_corp qdisc replace dev v0123456789ab root tbf rate 5000kbit burst 64kb latency 50ms',
    ]);
  });

  it('no limit: only removals', () => {
    const p = planRateLimit('corp', 'web', nic, null);
    expect(p.remove).toHaveLength(3);
    expect(p.create).toEqual([]);
    expect(p.apply).toEqual([]);
  });
});
