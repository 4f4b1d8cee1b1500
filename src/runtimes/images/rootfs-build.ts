import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../sys/index.js';
import { CyrangeError } from '../../model/index.js';
import { type CatalogImage, imageEntryDir, writeImageEntry } from './catalog.js';
import { sha256Packages } from './digest.js';

/** What every sandbox root carries: networking and diagnostics tools, a shell, and tini as PID 1. */
export const DEFAULT_ROOTFS_PACKAGES: readonly string[] = [
  'iproute2',
  'iputils-ping',
  'procps',
  'curl',
  'ca-certificates',
  'netcat-openbsd',
  'tini',
  'busybox',
  'tcpdump',
  'iperf3',
  'less',
  'bash',
];

/** The Debian release every rootfs is built from (the machine's own). */
export const ROOTFS_SUITE = 'bookworm';

// A cold mirror and a slow disk can take minutes; a hung download must still end.
const BUILD_TIMEOUT_MS = 15 * 60_000;

/** The defaults plus `extra`, deduplicated and sorted: the list a build asks for and records. */
export function rootfsPackageList(extra: readonly string[] = []): string[] {
  return [...new Set([...DEFAULT_ROOTFS_PACKAGES, ...extra.map((p) => p.trim()).filter(Boolean)])].sort();
}

/** Installed packages of a root filesystem, read from its own dpkg database. */
export async function installedPackages(root: string, signal?: AbortSignal): Promise<Record<string, string>> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not ours
  const fmt = '${Package} ${Version}\n';
  const r = await run(['dpkg-query', `--admindir=${join(root, 'var', 'lib', 'dpkg')}`, '-W', '-f', fmt], {
    ...(signal ? { signal } : {}),
  });
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const [name, version] = line.trim().split(' ');
    if (name && version) out[name] = version;
  }
  return out;
}

function mountinfo(): string[] {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** Whether a mount of this machine (a sandbox's overlay) uses `root` as a lower layer. */
function inUse(root: string): boolean {
  return mountinfo().some((l) => / - overlay /.test(l) && (/lowerdir=([^, ]*)/.exec(l)?.[1] ?? '').split(':').includes(root));
}

/** Detaches what a killed mmdebstrap left mounted in its chroot, so removing the build cannot reach through a bind mount. */
async function unmountUnder(dir: string): Promise<void> {
  const points = mountinfo()
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of points) await run(['umount', '--lazy', m], { allowFailure: true });
}

/**
 * Builds a Debian root filesystem with mmdebstrap (minbase plus `include`) and moves it into
 * `DIR/rootfs/<name>/root` in one rename, then records it in the catalog. The build happens beside
 * the entry (same filesystem), so a failed or killed build never leaves a half root in place.
 */
export async function buildRootfs(
  imagesDir: string,
  name: string,
  include: readonly string[],
  opts: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<CatalogImage> {
  const log = opts.log ?? (() => {});
  const entry = imageEntryDir(imagesDir, 'rootfs', name);
  const root = join(entry, 'root');
  // Replacing a lower layer under a mounted overlay changes files under running hosts.
  if (inUse(root))
    throw new CyrangeError('CYR_CONFLICT', `rootfs "${name}" is the base of running sandboxes`, {
      hint: 'destroy or stop the ranges that use it, or build under another --name',
    });
  const kindDir = join(imagesDir, 'rootfs');
  mkdirSync(kindDir, { recursive: true });
  const work = mkdtempSync(join(kindDir, `.build-${name}-`));
  const sig = opts.signal ? { signal: opts.signal } : {};
  try {
    const fresh = join(work, 'root');
    log(`mmdebstrap ${ROOTFS_SUITE} (minbase + ${include.join(',')})`);
    const r = await run(['mmdebstrap', '--variant=minbase', `--include=${include.join(',')}`, ROOTFS_SUITE, fresh], {
      ...sig,
      timeoutMs: BUILD_TIMEOUT_MS,
      allowFailure: true,
    }).catch((e: unknown) => {
      throw new CyrangeError('CYR_RUNTIME', `rootfs "${name}": ${(e as Error).message}`, {
        hint: 'apt-get install mmdebstrap (scripts/setup.sh does)',
        cause: e,
      });
    });
    if (r.code !== 0)
      throw new CyrangeError('CYR_RUNTIME', `rootfs "${name}": mmdebstrap failed: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`, {
        hint: 'mmdebstrap needs the Debian mirror (deb.debian.org) and the package names to exist in bookworm',
      });
    const packages = await installedPackages(fresh, opts.signal);
    mkdirSync(entry, { recursive: true });
    // The old root moves aside first: rename cannot replace a non-empty directory.
    try {
      renameSync(root, join(work, 'old'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    renameSync(fresh, root);
    const image: CatalogImage = {
      name,
      kind: 'rootfs',
      path: root,
      sha256: sha256Packages(packages),
      source: 'build-rootfs',
      packages,
      include: [...include],
      createdAt: new Date().toISOString(),
    };
    writeImageEntry(imagesDir, image);
    log(`rootfs ${name}: ${Object.keys(packages).length} packages in ${root}`);
    return image;
  } finally {
    await unmountUnder(work);
    rmSync(work, { recursive: true, force: true });
  }
}
