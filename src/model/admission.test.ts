import { describe, expect, it } from 'vitest';
import { type Actor, admissionProblems, rangeUsage } from './admission.js';
import { parseRawRange } from './blueprint.js';
import { resolveRange } from './resolve.js';

const policy = { hostBridges: ['br-lab'], launchers: ['qemu'] };
const root: Actor = { kind: 'local-root' };
const admin: Actor = { kind: 'user', name: 'a', role: 'admin' };
const instructor: Actor = { kind: 'user', name: 'i', role: 'instructor' };
const localUser: Actor = { kind: 'local-user' };

function rangeWith(host: Record<string, unknown>, net: Record<string, unknown> = {}) {
  const parsed = parseRawRange({
    name: 'adm',
    networks: [{ name: 'lan', subnet: '10.0.0.0/24', ...net }],
    vms: [{ name: 'h', interfaces: [{ network: 'lan' }], ...host }],
  });
  if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
  return resolveRange(parsed.raw);
}

const PATH_MSG = 'only an admin may name a host path; use an image from the catalog';

/** Each dangerous field × each actor: allowed (null) or the exact problem. */
describe('admission', () => {
  it.each([
    ['sandbox none', { sandbox: 'none' }, {}, root, null],
    ['sandbox none', { sandbox: 'none' }, {}, admin, null],
    ['sandbox none', { sandbox: 'none' }, {}, instructor, 'vms[0].sandbox: only an admin may run a host unsandboxed'],
    ['sandbox none', { sandbox: 'none' }, {}, localUser, 'vms[0].sandbox: only an admin may run a host unsandboxed'],
    ['rootfs path', { rootfs: '/' }, {}, admin, null],
    ['rootfs path', { rootfs: '/' }, {}, instructor, `vms[0].rootfs: ${PATH_MSG}`],
    ['rootfs name', { rootfs: 'debian-base' }, {}, instructor, null],
    ['disk path', { runtime: 'microvm', microvm: { disk: '/dev/sda' } }, {}, root, null],
    ['disk path', { runtime: 'microvm', microvm: { disk: '/dev/sda' } }, {}, instructor, `vms[0].microvm.disk: ${PATH_MSG}`],
    ['kernel path', { runtime: 'microvm', microvm: { kernel: '/boot/vmlinuz' } }, {}, instructor, `vms[0].microvm.kernel: ${PATH_MSG}`],
    ['initrd path', { runtime: 'microvm', microvm: { initrd: '/boot/initrd' } }, {}, instructor, `vms[0].microvm.initrd: ${PATH_MSG}`],
    ['disk name', { runtime: 'microvm', microvm: { disk: 'debian-disk' } }, {}, instructor, null],
    [
      'firecracker',
      { runtime: 'microvm', microvm: { launcher: 'firecracker' } },
      {},
      root,
      'vms[0].microvm.launcher: firecracker is not available on this machine (available: qemu)',
    ],
    ['listed host bridge', {}, { egress: 'bridge', host_bridge: 'br-lab' }, instructor, null],
    [
      'other host bridge',
      {},
      { egress: 'bridge', host_bridge: 'docker0' },
      instructor,
      'networks[0].host_bridge: docker0 is not a host bridge the admin allows (br-lab)',
    ],
    ['other host bridge', {}, { egress: 'bridge', host_bridge: 'docker0' }, admin, null],
  ])('%s as %j', (_what, host, net, actor, expected) => {
    const problems = admissionProblems(rangeWith(host, net), actor as Actor, policy).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual(expected === null ? [] : [expected]);
  });

  it('names the plugin a refused value may come from', () => {
    const parsed = parseRawRange({
      name: 'adm',
      plugins: { bare: { sandbox: 'none' } },
      networks: [{ name: 'lan', subnet: '10.0.0.0/24' }],
      vms: [{ name: 'h', plugin: 'bare', interfaces: [{ network: 'lan' }] }],
    });
    if ('problems' in parsed) throw new Error('bad fixture');
    const [p] = admissionProblems(resolveRange(parsed.raw), instructor, policy);
    expect(p?.message).toContain('plugin "bare"');
  });
});

describe('quotas', () => {
  const quota = { ranges: 2, hosts: 3, memoryBytes: 512 * 2 ** 20, cpus: 2 };
  const held = { ranges: 1, hosts: 2, memoryBytes: 256 * 2 ** 20, cpus: 1 };
  const withQuota = { ...policy, quota };

  it.each([
    ['within every limit', {}, instructor, held, []],
    [
      'a range past the range count',
      {},
      instructor,
      { ...held, ranges: 2 },
      [': quota exceeded: 3 ranges with your other ranges, the limit is 2 ranges'],
    ],
    [
      'hosts past the host count',
      {},
      instructor,
      { ...held, hosts: 3 },
      ['vms: quota exceeded: 4 hosts with your other ranges, the limit is 3 hosts'],
    ],
    [
      'a microVM counts its default memory and vCPU',
      { runtime: 'microvm' },
      instructor,
      { ...held, memoryBytes: 300 * 2 ** 20, cpus: 2 },
      [
        'vms: quota exceeded: 556 MiB of memory with your other ranges, the limit is 512 MiB of memory',
        'vms: quota exceeded: 3 vCPUs with your other ranges, the limit is 2 vCPUs',
      ],
    ],
    ['admins have no quota', {}, admin, { ...held, ranges: 9 }, []],
    ['the local root CLI has no quota', {}, root, { ...held, ranges: 9 }, []],
  ])('%s', (_what, host, actor, heldNow, expected) => {
    const problems = admissionProblems(rangeWith(host), actor as Actor, withQuota, heldNow).map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual(expected);
  });

  it('counts declared memory and vCPUs of every host', () => {
    expect(rangeUsage(rangeWith({ resources: { memory: '64m', cpus: 0.5 } }))).toEqual({
      ranges: 1,
      hosts: 1,
      memoryBytes: 64 * 2 ** 20,
      cpus: 0.5,
    });
  });
});
