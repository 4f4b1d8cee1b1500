import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CyrangeError, IMAGE_NAME } from '../model/index.js';
import {
  type SeccompManifest,
  buildSeccompProfile,
  intactSeccompProfile,
  type AssetManifest,
  type CatalogImage,
  IMAGE_KINDS,
  type ImageKind,
  buildRootfs,
  isImageKind,
  listImages,
  readManifest,
  rootfsPackageList,
  sha256File,
  sha256Tree,
  writeImageEntry,
  DISK_FORMATS,
  DISK_SIZE,
  type DiskFormat,
  buildCloudDisk,
  diskSizeBytes,
  intactDisk,
} from '../runtimes/index.js';
import type { EngineConfig } from './config.js';

/** Catalog names of the microVM guest that `image build-microvm` makes. */
export const MICROVM_KERNEL_IMAGE = 'cyrange-kernel';
export const MICROVM_INITRD_IMAGE = 'cyrange-initrd';

/** The rootfs `image build-rootfs` makes when given no name; netns sandboxes use it by default. */
export const DEFAULT_ROOTFS_IMAGE = 'debian-base';

// Debian policy's package name syntax; anything else could smuggle options into mmdebstrap's list.
const DEB_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

function checkName(name: string, arg: string): void {
  if (!IMAGE_NAME.test(name))
    throw new CyrangeError('CYR_INVALID', `${arg}: "${name}" is not an image name`, {
      hint: `an image name matches ${IMAGE_NAME.source}`,
    });
}

/**
 * Builds a Debian 12 rootfs (minbase, the default packages plus `packages`) into the catalog as
 * `rootfs/<name>`. With `ifMissing`, an entry whose root is there and was built from the same
 * package list is kept.
 */
export async function buildRootfsImage(
  cfg: EngineConfig,
  opts: { name?: string; packages?: readonly string[]; ifMissing?: boolean; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<{ image: CatalogImage; built: boolean; seccomp: SeccompManifest }> {
  // Sandboxes are filtered with Docker's default seccomp profile: it comes with the rootfs.
  const seccomp = (opts.ifMissing ? await intactSeccompProfile(cfg.imagesDir) : null) ?? (await buildSeccompProfile(cfg.imagesDir));
  const name = opts.name ?? DEFAULT_ROOTFS_IMAGE;
  checkName(name, '--name');
  const bad = (opts.packages ?? []).filter((p) => !DEB_PACKAGE.test(p));
  if (bad.length) throw new CyrangeError('CYR_INVALID', `--packages: not a Debian package name: ${bad.join(', ')}`);
  const include = rootfsPackageList(opts.packages);
  if (opts.ifMissing) {
    const old = listImages(cfg.imagesDir).find((i) => i.kind === 'rootfs' && i.name === name);
    if (old && existsSync(old.path) && JSON.stringify(old.include ?? []) === JSON.stringify(include))
      return { image: old, built: false, seccomp };
  }
  const image = await buildRootfs(cfg.imagesDir, name, include, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  return { image, built: true, seccomp };
}

/**
 * Registers an existing file (a directory for `rootfs`) in the catalog under `name`. Admin only:
 * the path is trusted as it is. Replaces an earlier `add` of that name, never a built image.
 */
export async function addImage(cfg: EngineConfig, opts: { name: string; file: string; kind: string }): Promise<CatalogImage> {
  checkName(opts.name, 'NAME');
  if (!isImageKind(opts.kind))
    throw new CyrangeError('CYR_INVALID', `--kind: "${opts.kind}" is not an image kind`, { hint: `kinds: ${IMAGE_KINDS.join(', ')}` });
  const kind: ImageKind = opts.kind;
  if (!isAbsolute(opts.file)) throw new CyrangeError('CYR_INVALID', `FILE: "${opts.file}" is not an absolute path`);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(opts.file);
  } catch {
    throw new CyrangeError('CYR_INVALID', `FILE: ${opts.file} does not exist`);
  }
  if (kind === 'rootfs' && !st.isDirectory())
    throw new CyrangeError('CYR_INVALID', `FILE: ${opts.file} is not a directory (a rootfs image is one)`);
  if (kind !== 'rootfs' && !st.isFile())
    throw new CyrangeError('CYR_INVALID', `FILE: ${opts.file} is not a regular file (a ${kind} image is one)`);
  const old = listImages(cfg.imagesDir).find((i) => i.kind === kind && i.name === opts.name);
  if (old && old.source !== 'add')
    throw new CyrangeError('CYR_EXISTS', `NAME: ${kind} image "${opts.name}" exists (made by ${old.source})`, {
      hint: 'choose another name',
    });
  const image: CatalogImage = {
    name: opts.name,
    kind,
    path: opts.file,
    sha256: kind === 'rootfs' ? sha256Tree(opts.file) : await sha256File(opts.file),
    source: 'add',
    createdAt: new Date().toISOString(),
  };
  writeImageEntry(cfg.imagesDir, image);
  return image;
}

/** The catalog entries of a built microVM guest: `cyrange-kernel` and `cyrange-initrd`, pointing into its assets directory. */
function microvmEntries(dir: string, m: AssetManifest): CatalogImage[] {
  return [
    {
      name: MICROVM_KERNEL_IMAGE,
      kind: 'kernel',
      path: join(dir, m.kernel.file),
      sha256: m.kernel.sha256,
      source: 'build-microvm',
      packages: { [m.kernelPackage]: m.kernelVersion },
      createdAt: m.builtAt,
    },
    {
      name: MICROVM_INITRD_IMAGE,
      kind: 'initrd',
      path: join(dir, m.initrd.file),
      sha256: m.initrd.sha256,
      source: 'build-microvm',
      packages: { 'busybox-static': m.busyboxVersion },
      createdAt: m.builtAt,
    },
  ];
}

/** Records a built microVM guest in the catalog, so blueprints and `findImage` can name its kernel and initrd. */
export function registerMicrovmImages(cfg: EngineConfig, dir: string, manifest: AssetManifest): CatalogImage[] {
  const entries = microvmEntries(dir, manifest);
  for (const e of entries) writeImageEntry(cfg.imagesDir, e);
  return entries;
}

/**
 * Every image: the catalog, plus the microVM guest in the assets directory when it was built
 * before the catalog knew it (a catalog entry of the same name wins).
 */
export function listAllImages(cfg: EngineConfig): CatalogImage[] {
  const all = listImages(cfg.imagesDir);
  let m: AssetManifest | null = null;
  try {
    m = readManifest(cfg.microvmAssets);
  } catch {
    // a half-written manifest is no guest
  }
  if (m) for (const e of microvmEntries(cfg.microvmAssets, m)) if (!all.some((i) => i.kind === e.kind && i.name === e.name)) all.push(e);
  return all.sort((a, b) => IMAGE_KINDS.indexOf(a.kind) - IMAGE_KINDS.indexOf(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The disk `image build-disk --cloud-init` makes when given no name. */
export const DEFAULT_DISK_IMAGE = 'debian-cloud';

/**
 * Builds a Debian 12 cloud-init guest disk (systemd, cloud-init seeded from the metadata service,
 * sshd) into the catalog as `disk/<name>`, for `runtime: microvm` hosts with `microvm: {disk: NAME,
 * init: disk}`. With `ifMissing`, an entry built by the same recipe (packages, configuration) in the
 * same format whose file still matches its checksum is kept.
 */
export async function buildDiskImage(
  cfg: EngineConfig,
  opts: {
    name?: string;
    cloudInit?: boolean;
    size?: string;
    format?: string;
    ifMissing?: boolean;
    signal?: AbortSignal;
    log?: (line: string) => void;
  } = {},
): Promise<{ image: CatalogImage; built: boolean }> {
  if (!opts.cloudInit)
    throw new CyrangeError('CYR_INVALID', 'build-disk: say what to build: --cloud-init (the only kind of disk it makes for now)');
  const name = opts.name ?? DEFAULT_DISK_IMAGE;
  checkName(name, '--name');
  const size = (opts.size ?? '2G').toUpperCase();
  // A Debian tree with cloud-init (python3) takes about 500 MiB.
  if (!DISK_SIZE.test(size) || diskSizeBytes(size) < 2 ** 29)
    throw new CyrangeError('CYR_INVALID', `--size: "${opts.size}" is not a disk size of at least 512M`, { hint: 'e.g. 2G, 1536M' });
  const format = opts.format ?? 'qcow2';
  if (!(DISK_FORMATS as readonly string[]).includes(format))
    throw new CyrangeError('CYR_INVALID', `--format: "${format}" is not a disk format`, { hint: `formats: ${DISK_FORMATS.join(', ')}` });
  const fmt = format as DiskFormat;
  if (opts.ifMissing) {
    const kept = await intactDisk(cfg.imagesDir, name, fmt);
    if (kept) return { image: kept, built: false };
  }
  const old = listImages(cfg.imagesDir).find((i) => i.kind === 'disk' && i.name === name);
  if (old && old.source !== 'build-disk')
    throw new CyrangeError('CYR_EXISTS', `--name: disk image "${name}" exists (made by ${old.source})`, { hint: 'choose another name' });
  const image = await buildCloudDisk(cfg.imagesDir, name, {
    size,
    format: fmt,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  return { image, built: true };
}
