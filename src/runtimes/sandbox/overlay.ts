import { readFileSync } from 'node:fs';
import { run } from '../../sys/index.js';

/** Source name of every overlay Cyrange mounts: `cyrange:<instance>:<host>`, its ownership tag in /proc/mounts. */
export function overlayTag(instance: string, host: string): string {
  return `cyrange:${instance}:${host}`;
}

/** One mount of ours, found in /proc/self/mountinfo. */
export interface OwnedMount {
  readonly instance: string;
  readonly host: string;
  readonly target: string;
}

/** Decodes the octal escapes /proc uses for spaces and such in paths. */
function decodeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** Every overlay Cyrange mounted, by its tag. */
export function ownedMounts(): OwnedMount[] {
  const out: OwnedMount[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // Fields after ` - ` are: fstype, source, options.
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const [fstype, source] = post.split(' ');
    const m = fstype === 'overlay' ? /^cyrange:([a-z0-9-]+):([a-z0-9-]+)$/.exec(source ?? '') : null;
    const target = pre.split(' ')[4];
    if (m && target) out.push({ instance: m[1] as string, host: m[2] as string, target: decodeMountPath(target) });
  }
  return out;
}

/** Mount points under `dir` (any kind), so a directory is never deleted through a live mount. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mountedTargets().filter((t) => t === dir || t.startsWith(prefix));
}

/** Mounts the host's root filesystem: the shared base read-only below, the host's own upper layer above. */
export async function mountOverlay(tag: string, lower: string, upper: string, work: string, target: string): Promise<void> {
  if (mountsUnder(target).includes(target)) return;
  await run(['mount', '-t', 'overlay', tag, '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, target]);
}

/** Unmounts one of our overlays; one that is not mounted counts as unmounted. */
export async function unmountOverlay(target: string): Promise<void> {
  await unmountOverlays([target]);
}

/** Unmounts overlays in one `umount`; ones not mounted count as unmounted. */
export async function unmountOverlays(targets: readonly string[]): Promise<void> {
  const mounted = new Set(mountedTargets());
  const live = targets.filter((t) => mounted.has(t));
  if (live.length === 0) return;
  const r = await run(['umount', ...live], { allowFailure: true });
  // A process that has not let go yet: detach now, the kernel frees it when the last user exits.
  if (r.code !== 0) {
    const left = new Set(mountedTargets());
    const stuck = live.filter((t) => left.has(t));
    if (stuck.length > 0) await run(['umount', '--lazy', ...stuck]);
  }
}

function mountedTargets(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => decodeMountPath(l.split(' ')[4] ?? ''));
}
