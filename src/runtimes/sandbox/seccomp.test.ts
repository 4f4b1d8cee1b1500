import { describe, expect, it } from 'vitest';
import { CyrangeError } from '../../model/index.js';
import { type OciSeccomp, type SeccompProfile, loadSeccompProfile, ociSeccompFromProfile } from './seccomp.js';
import { DEFAULT_IMAGES_DIR } from '../images/catalog.js';
import { seccompProfilePath } from './seccomp-build.js';

// A small profile in the containers-common shape, one rule of each kind the real one has.
const PROFILE: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls: [
    { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [], includes: {}, excludes: {} },
    { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    { names: ['arm_fadvise64_64'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['arm', 'arm64'] } },
    { names: ['arch_prctl'], action: 'SCMP_ACT_ALLOW', includes: { arches: ['amd64', 'x32'] } },
    { names: ['bpf', 'mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['bpf', 'mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_ADMIN'] } },
    { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: null, includes: { caps: ['CAP_AUDIT_WRITE'] } },
    { names: ['s390_runtime_instr'], action: 'SCMP_ACT_ALLOW', excludes: { arches: ['amd64', 'arm64'] } },
  ],
};

const rulesFor = (f: OciSeccomp, name: string) => f.syscalls.filter((s) => s.names.includes(name));
const allowed = (f: OciSeccomp, name: string) => rulesFor(f, name).some((s) => s.action === 'SCMP_ACT_ALLOW');

describe('ociSeccompFromProfile', () => {
  it.each([
    { caps: [], name: 'mount', allow: false },
    { caps: ['CAP_SYS_ADMIN'], name: 'mount', allow: true },
    { caps: ['CAP_NET_ADMIN'], name: 'bpf', allow: false },
    { caps: ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN'], name: 'bpf', allow: true },
    { caps: ['sys_admin'], name: 'bpf', allow: true },
    { caps: [], name: 'socket', allow: false },
    { caps: ['CAP_AUDIT_WRITE'], name: 'socket', allow: true },
    { caps: [], name: 'read', allow: true },
  ])('caps $caps: $name allowed is $allow', ({ caps, name, allow }) => {
    expect(allowed(ociSeccompFromProfile(PROFILE, caps), name)).toBe(allow);
  });

  it.each([
    { caps: [], errno: [1] },
    { caps: ['CAP_SYS_ADMIN'], errno: [] },
  ])('the excludes-caps ERRNO rule for mount with caps $caps', ({ caps, errno }) => {
    const f = ociSeccompFromProfile(PROFILE, caps);
    expect(rulesFor(f, 'mount').flatMap((s) => (s.action === 'SCMP_ACT_ERRNO' ? [s.errnoRet] : []))).toEqual(errno);
  });

  it.each([
    { arch: 'amd64', name: 'arm_fadvise64_64', present: false },
    { arch: 'arm64', name: 'arm_fadvise64_64', present: true },
    { arch: 'amd64', name: 'arch_prctl', present: true },
    { arch: 'arm64', name: 'arch_prctl', present: false },
    { arch: 'amd64', name: 's390_runtime_instr', present: false },
    { arch: 's390x', name: 's390_runtime_instr', present: true },
  ])('on $arch, $name present is $present', ({ arch, name, present }) => {
    expect(rulesFor(ociSeccompFromProfile(PROFILE, [], arch), name).length > 0).toBe(present);
  });

  it.each([
    { arch: 'amd64', want: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { arch: 'arm64', want: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'] },
    { arch: 's390x', want: [] },
  ])('architectures on $arch', ({ arch, want }) => {
    expect(ociSeccompFromProfile(PROFILE, [], arch).architectures).toEqual(want);
  });

  it('keeps defaults, errnoRet and args and drops the profile-only fields', () => {
    const f = ociSeccompFromProfile(PROFILE, []);
    expect(f.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(f.defaultErrnoRet).toBe(38);
    expect(rulesFor(f, 'personality')).toEqual([
      { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 8, valueTwo: 0, op: 'SCMP_CMP_EQ' }] },
    ]);
    for (const s of f.syscalls) expect(Object.keys(s).filter((k) => !['names', 'action', 'errnoRet', 'args'].includes(k))).toEqual([]);
  });

  it('refuses an unknown arch with the known ones', () => {
    expect(() => ociSeccompFromProfile(PROFILE, [], 'vax')).toThrow(/unknown architecture "vax"/);
  });
});

// The set-up's `image build-rootfs` fetches Docker's default profile into the catalog.
const REAL = seccompProfilePath(DEFAULT_IMAGES_DIR);

describe("Docker's default profile, from Debian's moby package", () => {
  it.each([
    { caps: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], name: 'read', allow: true },
    { caps: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], name: 'kexec_load', allow: false },
    { caps: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], name: 'bpf', allow: false },
    { caps: ['CAP_SYS_ADMIN'], name: 'mount', allow: true },
    { caps: [], name: 'arch_prctl', allow: true },
    // No user namespace: the machine root's keyring would be shared, and Docker denies these.
    { caps: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], name: 'keyctl', allow: false },
    { caps: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], name: 'add_key', allow: false },
    { caps: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], name: 'unshare', allow: false },
    { caps: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], name: 'mount', allow: false },
    { caps: ['CAP_NET_ADMIN', 'CAP_NET_RAW'], name: 'setns', allow: false },
  ])('caps $caps: $name allowed is $allow', ({ caps, name, allow }) => {
    const f = ociSeccompFromProfile(loadSeccompProfile(REAL), caps);
    expect(f.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(f.syscalls.length).toBeGreaterThan(5);
    expect(allowed(f, name)).toBe(allow);
  });

  it('a missing profile names the package to install', () => {
    let err: unknown;
    try {
      loadSeccompProfile('/nonexistent/seccomp.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CyrangeError);
    expect(err).toMatchObject({ code: 'CYR_UNAVAILABLE' });
    expect((err as CyrangeError).hint).toContain('cyrange image build-rootfs');
  });
});
