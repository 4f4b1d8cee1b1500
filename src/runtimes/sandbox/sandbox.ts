import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { netnsPath } from '../../sys/index.js';
import { CyrangeError, type ResolvedHost, hostNetns } from '../../model/index.js';
import { hostCgroup } from '../cgroups.js';
import { resolveImageRef } from '../images/catalog.js';
import type { RangeContext } from '../runtime.js';
import { DEFAULT_PIDS_LIMIT, SANDBOX_CAPS, sandboxConfig } from './oci-spec.js';
import { mountOverlay, overlayTag, unmountOverlay } from './overlay.js';
import { deleteSandbox, runSandbox } from './runc.js';
import { seccompProfilePath } from './seccomp-build.js';
import { loadSeccompProfile, ociSeccompFromProfile } from './seccomp.js';

/** The init every sandbox runs its command under (Debian's tini, in the base image). */
const INIT = '/usr/bin/tini';
const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** runc id of a host's sandbox: the same name as its network namespace, so one tag finds both. */
export function sandboxId(instance: string, host: string): string {
  return hostNetns(instance, host);
}

/** Where one host's sandbox lives: its bundle, its upper layer (what a reset discards) and the mounted root. */
export function sandboxPaths(ctx: RangeContext, host: string) {
  const dir = join(ctx.dataDir, host);
  return { dir, upper: join(dir, 'upper'), work: join(dir, 'work'), rootfs: join(dir, 'rootfs'), config: join(dir, 'config.json') };
}

const seccomp = new Map<string, unknown>();
/** The OCI seccomp filter for the sandbox's capabilities, made once per catalog from Docker's default profile. */
function seccompFilter(imagesDir: string): unknown {
  let f = seccomp.get(imagesDir);
  if (!f) {
    f = ociSeccompFromProfile(loadSeccompProfile(seccompProfilePath(imagesDir)), SANDBOX_CAPS);
    seccomp.set(imagesDir, f);
  }
  return f;
}

/** Finds a program inside the sandbox's root the way its exec would; null when it is not there. */
function programIn(rootfs: string, program: string): string | null {
  const candidates = program.includes('/') ? [program] : SEARCH_PATH.map((d) => `${d}/${program}`);
  return candidates.find((c) => existsSync(join(rootfs, c))) ?? null;
}

function checkOverlayPath(p: string): void {
  // overlayfs splits its options on ',' and layers on ':'.
  if (/[,:]/.test(p))
    throw new CyrangeError('CYR_UNAVAILABLE', `overlay path ${p} contains "," or ":"`, { hint: 'choose a CYRANGE_STATE_DIR without them' });
}

/** Mounts the host's root (base image below, its own upper layer above); the first time, writes its name files. */
async function mountRoot(ctx: RangeContext, host: ResolvedHost): Promise<string> {
  const p = sandboxPaths(ctx, host.name);
  const base = resolveImageRef(ctx.images, host.rootfs ?? 'debian-base', 'rootfs');
  if (!existsSync(base)) throw new CyrangeError('CYR_NOT_FOUND', `host "${host.name}": rootfs ${base} does not exist`);
  const fresh = !existsSync(p.upper);
  for (const d of [p.upper, p.work, p.rootfs]) mkdirSync(d, { recursive: true, mode: 0o700 });
  // The upper layer's root is the sandbox's `/`: 0700 would lock every non-root user out of it (the
  // host directory above it, 0700, keeps the machine's users out).
  chmodSync(p.upper, 0o755);
  for (const d of [base, p.upper, p.work, p.rootfs]) checkOverlayPath(d);
  await mountOverlay(overlayTag(ctx.instance, host.name), base, p.upper, p.work, p.rootfs);
  // Only into a new upper layer: later the host's root may hold links a student planted.
  if (fresh) {
    writeFileSync(join(p.rootfs, 'etc', 'hostname'), `${host.name}\n`);
    const ips = host.interfaces.filter((n) => n.ip).map((n) => `${n.ip}\t${host.name}\n`);
    writeFileSync(join(p.rootfs, 'etc', 'hosts'), `127.0.0.1\tlocalhost\n${ips.join('')}`);
  }
  return p.rootfs;
}

/** Starts a host's sandbox: its root mounted, its command under tini as PID 1, in the host's namespace; resolves with that PID. */
export async function startSandbox(ctx: RangeContext, host: ResolvedHost, logFile: string): Promise<number> {
  const id = sandboxId(ctx.instance, host.name);
  const rootfs = await mountRoot(ctx, host);
  const command = host.command ?? ['sleep', 'infinity'];
  const program = command[0] ?? '';
  if (!programIn(rootfs, program))
    throw new CyrangeError('CYR_INVALID', `host "${host.name}": command "${program}" not found in its rootfs (${host.rootfs})`, {
      hint: 'give a program the image has, or build an image with it: cyrange image build-rootfs --packages …',
    });
  if (!existsSync(join(rootfs, INIT)))
    throw new CyrangeError('CYR_INVALID', `host "${host.name}": rootfs ${host.rootfs} has no ${INIT}`, {
      hint: "the image needs Debian's tini",
    });
  const p = sandboxPaths(ctx, host.name);
  const config = sandboxConfig({
    hostname: host.name,
    args: [INIT, '--', ...command],
    env: host.env,
    rootfs: isAbsolute(rootfs) ? rootfs : join(p.dir, rootfs),
    netnsPath: netnsPath(hostNetns(ctx.instance, host.name)),
    cgroupsPath: hostCgroup(ctx.instance, host.name),
    memoryBytes: host.resources.memoryBytes,
    cpus: host.resources.cpus,
    pidsLimit: DEFAULT_PIDS_LIMIT,
    sysctl: {
      'net.ipv4.ip_forward': host.ipForward ? '1' : '0',
      'net.ipv4.conf.all.rp_filter': '2',
      'net.ipv4.conf.default.rp_filter': '2',
      'net.ipv6.conf.all.disable_ipv6': '1',
      'net.ipv6.conf.default.disable_ipv6': '1',
    },
    seccomp: seccompFilter(ctx.images),
    procSysEntries: readdirSync('/proc/sys'),
  });
  writeFileSync(p.config, JSON.stringify(config));
  // A sandbox left stopped by a crash or a kill holds the id.
  await deleteSandbox(id);
  return runSandbox(id, p.dir, logFile);
}

/** Stops a host's sandbox (its processes are already gone or die with it) and unmounts its root; the upper layer stays. */
export async function stopSandbox(ctx: RangeContext, host: string): Promise<void> {
  await deleteSandbox(sandboxId(ctx.instance, host));
  await unmountOverlay(sandboxPaths(ctx, host).rootfs);
}
