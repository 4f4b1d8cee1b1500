import { describe, expect, it } from 'vitest';
import { SANDBOX_CAPS, sandboxConfig } from './oci-spec.js';

const base = {
  hostname: 'web',
  args: ['/usr/bin/tini', '--', 'sleep', 'infinity'],
  env: { GREETING: 'hi' },
  rootfs: '/state/hosts/r/web/rootfs',
  netnsPath: '/run/netns/cyr_r_web',
  cgroupsPath: '/cyrange/r/web',
  memoryBytes: 64 * 2 ** 20,
  cpus: 0.5,
  pidsLimit: 1024,
  sysctl: { 'net.ipv4.ip_forward': '0' },
  seccomp: { defaultAction: 'SCMP_ACT_ERRNO' },
  procSysEntries: ['abi', 'kernel', 'net', 'vm'],
};

type Config = {
  process: { capabilities: { bounding: string[] }; noNewPrivileges: boolean; env: string[]; args: string[] };
  hostname: string;
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    resources: { memory?: { limit: number }; cpu?: { quota: number; period: number }; pids: { limit: number }; devices: unknown[] };
    readonlyPaths: string[];
    seccomp?: unknown;
    cgroupsPath: string;
  };
};

describe('sandboxConfig', () => {
  const c = sandboxConfig(base) as unknown as Config;

  it.each([
    ['own pid namespace', () => c.linux.namespaces.some((n) => n.type === 'pid' && !n.path)],
    ['own mount namespace', () => c.linux.namespaces.some((n) => n.type === 'mount' && !n.path)],
    ['own uts namespace', () => c.linux.namespaces.some((n) => n.type === 'uts' && !n.path)],
    ['own ipc namespace', () => c.linux.namespaces.some((n) => n.type === 'ipc' && !n.path)],
    ['own cgroup namespace', () => c.linux.namespaces.some((n) => n.type === 'cgroup' && !n.path)],
    ['the wired network namespace', () => c.linux.namespaces.some((n) => n.type === 'network' && n.path === '/run/netns/cyr_r_web')],
    ['no user namespace (root maps to nothing else)', () => !c.linux.namespaces.some((n) => n.type === 'user')],
    ['NET_ADMIN and NET_RAW', () => ['CAP_NET_ADMIN', 'CAP_NET_RAW'].every((x) => c.process.capabilities.bounding.includes(x))],
    [
      'no SYS_ADMIN, SYS_MODULE, SYS_RAWIO, SYS_PTRACE',
      () => !/SYS_ADMIN|SYS_MODULE|SYS_RAWIO|SYS_PTRACE/.test(c.process.capabilities.bounding.join()),
    ],
    ['no_new_privs', () => c.process.noNewPrivileges],
    ['the host name', () => c.hostname === 'web'],
    ['the host env', () => c.process.env.includes('GREETING=hi') && c.process.env.some((e) => e.startsWith('PATH='))],
    ['memory limit', () => c.linux.resources.memory?.limit === 64 * 2 ** 20],
    ['CPU quota of half a CPU', () => c.linux.resources.cpu?.quota === 50_000 && c.linux.resources.cpu.period === 100_000],
    ['a pids limit', () => c.linux.resources.pids.limit === 1024],
    ['every device denied by default', () => JSON.stringify(c.linux.resources.devices) === '[{"allow":false,"access":"rwm"}]'],
    [
      'machine sysctls read-only',
      () => ['/proc/sys/kernel', '/proc/sys/vm', '/proc/sys/abi'].every((p) => c.linux.readonlyPaths.includes(p)),
    ],
    ["the namespace's own net sysctls writable", () => !c.linux.readonlyPaths.includes('/proc/sys/net')],
    ['seccomp', () => c.linux.seccomp !== undefined],
    ['under the range cgroup', () => c.linux.cgroupsPath === '/cyrange/r/web'],
  ])('has %s', (_what, check) => {
    expect(check()).toBe(true);
  });

  it('leaves out limits the blueprint does not set', () => {
    const free = sandboxConfig({ ...base, memoryBytes: null, cpus: null }) as unknown as Config;
    expect(free.linux.resources.memory).toBeUndefined();
    expect(free.linux.resources.cpu).toBeUndefined();
  });

  it("is Docker's default capability set plus NET_ADMIN", () => {
    expect(SANDBOX_CAPS).toHaveLength(15);
  });
});
