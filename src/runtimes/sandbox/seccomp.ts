import { readFileSync } from 'node:fs';
import { CyrangeError } from '../../model/index.js';

/** Where Debian's `golang-github-containers-common` installs the profile Podman and Buildah use. */

/** One argument comparison of a seccomp rule (the same shape in the profile and in OCI). */
export interface SeccompArg {
  readonly index: number;
  readonly value: number;
  readonly valueTwo?: number;
  readonly op: string;
}

/** When a profile rule applies: every listed capability held, the running arch listed. */
export interface SeccompFilter {
  readonly caps?: readonly string[] | null;
  readonly arches?: readonly string[] | null;
  readonly minKernel?: string | null;
}

/** One rule of a containers/moby seccomp profile. */
export interface ProfileSyscall {
  readonly names?: readonly string[] | null;
  /** Older profiles name one syscall per rule. */
  readonly name?: string;
  readonly action: string;
  readonly args?: readonly SeccompArg[] | null;
  readonly errnoRet?: number;
  readonly includes?: SeccompFilter | null;
  readonly excludes?: SeccompFilter | null;
}

/** A containers/moby-format seccomp profile (`/usr/share/containers/seccomp.json`). */
export interface SeccompProfile {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly archMap?: ReadonlyArray<{ readonly architecture: string; readonly subArchitectures?: readonly string[] | null }> | null;
  /** Older profiles list architectures directly instead of an archMap. */
  readonly architectures?: readonly string[] | null;
  readonly flags?: readonly string[] | null;
  readonly syscalls?: readonly ProfileSyscall[] | null;
}

/** One rule of an OCI runtime-spec seccomp filter. */
export interface OciSyscall {
  readonly names: readonly string[];
  readonly action: string;
  readonly errnoRet?: number;
  readonly args?: readonly SeccompArg[];
}

/** OCI runtime-spec `linux.seccomp`. */
export interface OciSeccomp {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly architectures: readonly string[];
  readonly flags?: readonly string[];
  readonly syscalls: readonly OciSyscall[];
}

// libseccomp's native arch names (what profiles' `arches` say) to the SCMP constants of `archMap`.
const NATIVE_TO_SCMP: Readonly<Record<string, string>> = {
  amd64: 'SCMP_ARCH_X86_64',
  x86: 'SCMP_ARCH_X86',
  x32: 'SCMP_ARCH_X32',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mipsel64n32: 'SCMP_ARCH_MIPSEL64N32',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
};

const capName = (c: string) => {
  const u = c.trim().toUpperCase();
  return u.startsWith('CAP_') ? u : `CAP_${u}`;
};

/** Whether a rule is kept for these capabilities and arch: all includes match, no exclude does. */
function applies(rule: ProfileSyscall, caps: ReadonlySet<string>, arch: string): boolean {
  const inc = rule.includes ?? {};
  const exc = rule.excludes ?? {};
  if (inc.arches?.length && !inc.arches.includes(arch)) return false;
  if (inc.caps?.length && !inc.caps.every((c) => caps.has(capName(c)))) return false;
  if (exc.arches?.length && exc.arches.includes(arch)) return false;
  if (exc.caps?.length && exc.caps.some((c) => caps.has(capName(c)))) return false;
  // minKernel: our kernels are newer than any the profile names, so an include holds and an exclude applies.
  if (exc.minKernel) return false;
  return true;
}

/**
 * Converts a containers/moby seccomp profile into the OCI `linux.seccomp` filter for a process
 * holding `caps` on `arch` (libseccomp name, default amd64): the same selection Docker and
 * Podman make. Pure; the result has no include/exclude fields left.
 */
export function ociSeccompFromProfile(profile: SeccompProfile, caps: readonly string[], arch = 'amd64'): OciSeccomp {
  const scmp = NATIVE_TO_SCMP[arch];
  if (!scmp)
    throw new CyrangeError('CYR_INVALID', `seccomp: unknown architecture "${arch}"`, {
      hint: `known: ${Object.keys(NATIVE_TO_SCMP).join(', ')}`,
    });
  const held = new Set(caps.map(capName));
  const mapped = (profile.archMap ?? []).find((a) => a.architecture === scmp);
  const architectures = mapped ? [mapped.architecture, ...(mapped.subArchitectures ?? [])] : [...(profile.architectures ?? [])];
  const syscalls: OciSyscall[] = [];
  for (const rule of profile.syscalls ?? []) {
    if (!applies(rule, held, arch)) continue;
    const names = rule.names?.length ? [...rule.names] : rule.name ? [rule.name] : [];
    if (names.length === 0) continue;
    syscalls.push({
      names,
      action: rule.action,
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
      ...(rule.args?.length ? { args: rule.args.map((a) => ({ ...a })) } : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures,
    ...(profile.flags?.length ? { flags: [...profile.flags] } : {}),
    syscalls,
  };
}

/** Reads a moby/containers-format seccomp profile. */
export function loadSeccompProfile(path: string): SeccompProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CyrangeError('CYR_UNAVAILABLE', `seccomp profile ${path} cannot be read: ${(e as Error).message}`, {
      hint: "run `cyrange image build-rootfs` (the set-up does): it fetches Docker's default profile from Debian",
      cause: e,
    });
  }
  let p: SeccompProfile;
  try {
    p = JSON.parse(text) as SeccompProfile;
  } catch (e) {
    throw new CyrangeError('CYR_UNAVAILABLE', `seccomp profile ${path} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof p?.defaultAction !== 'string' || !Array.isArray(p.syscalls))
    throw new CyrangeError('CYR_UNAVAILABLE', `seccomp profile ${path} has no defaultAction and syscalls`);
  return p;
}
