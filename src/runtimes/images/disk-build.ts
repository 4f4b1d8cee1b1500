import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { run } from '../../sys/index.js';
import { CyrangeError } from '../../model/index.js';
import { type CatalogImage, imageEntryDir, listImages, writeImageEntry } from './catalog.js';
import { sha256File } from './digest.js';
import { ROOTFS_SUITE, installedPackages } from './rootfs-build.js';

/**
 * What a cloud-init guest disk carries: systemd as init, udev, cloud-init with ifupdown (its
 * Debian renderer, `eni`), sshd, sudo, and a few tools to look around with. Sorted.
 */
export const CLOUD_DISK_PACKAGES: readonly string[] = [
  'ca-certificates',
  'cloud-init',
  'dbus',
  'ifupdown',
  'iproute2',
  'iputils-ping',
  'netbase',
  'openssh-server',
  'procps',
  'sudo',
  'systemd-sysv',
  'udev',
];

/** Formats `build-disk` writes: qcow2 (the default, compact) or a raw ext4 image. */
export const DISK_FORMATS = ['qcow2', 'raw'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

/** File name of a built disk inside its catalog entry: the microVM runtime tells the format by it. */
export function diskFileName(format: DiskFormat): string {
  return format === 'qcow2' ? 'disk.qcow2' : 'disk.img';
}

/** The file system label of a built disk's (only) file system. */
export const DISK_LABEL = 'cyrange-root';

/**
 * cloud-init's configuration in the disk: only the NoCloud datasource, seeded from the range's
 * metadata service. Nothing of a host (name, users, keys) is in the image; all of it comes from there.
 */
export const CLOUD_INIT_CFG = `# Written by \`cyrange image build-disk --cloud-init\`.
# The guest's host name, users, SSH keys and network come from the range's metadata service,
# which serves NoCloud's files (meta-data, user-data, network-config, vendor-data) at its root.
datasource_list: [NoCloud]
datasource:
  NoCloud:
    seedfrom: http://169.254.169.254/
# /etc/hosts names the host cloud-init was given (sudo and others look it up).
manage_etc_hosts: true
# glibc's built-in locale: nothing to generate at first boot.
locale: C.UTF-8
`;
export const CLOUD_INIT_CFG_FILE = 'etc/cloud/cloud.cfg.d/90-cyrange-nocloud.cfg';

/**
 * Bumped whenever `configureTree` changes what it writes, so `--if-missing` rebuilds a disk made
 * by an older recipe.
 */
const DISK_RECIPE_VERSION = 1;

/** File beside a built disk's manifest naming the recipe it was built by. */
const RECIPE_FILE = 'recipe.sha256';

/** SHA-256 of what a build puts in a disk besides the packages' own files: the packages asked for, the config, the recipe version. */
export function diskRecipe(): string {
  return createHash('sha256')
    .update(JSON.stringify({ version: DISK_RECIPE_VERSION, packages: CLOUD_DISK_PACKAGES, cloudInit: CLOUD_INIT_CFG }))
    .digest('hex');
}

/**
 * The catalog entry of an earlier build of `name` in `format` by today's recipe whose file still
 * matches its checksum, or null (then it must be built).
 */
export async function intactDisk(imagesDir: string, name: string, format: DiskFormat): Promise<CatalogImage | null> {
  const old = listImages(imagesDir).find((i) => i.kind === 'disk' && i.name === name);
  if (old?.source !== 'build-disk' || old.path !== join(imageEntryDir(imagesDir, 'disk', name), diskFileName(format))) return null;
  let recipe = '';
  try {
    recipe = readFileSync(join(imageEntryDir(imagesDir, 'disk', name), RECIPE_FILE), 'utf8').trim();
  } catch {
    return null;
  }
  if (recipe !== diskRecipe() || !existsSync(old.path)) return null;
  return (await sha256File(old.path)) === old.sha256 ? old : null;
}

// mmdebstrap of ~300 packages from a cold mirror, plus mkfs and qemu-img: minutes, never forever.
const BUILD_TIMEOUT_MS = 20 * 60_000;

/** A disk size as mke2fs takes it: a number of bytes with an optional K, M, G or T suffix. */
export const DISK_SIZE = /^[1-9][0-9]*[KMGT]?$/;

/** Size in bytes of a `DISK_SIZE` string. */
export function diskSizeBytes(size: string): number {
  const m = /^([0-9]+)([KMGT]?)$/.exec(size);
  if (!m) return Number.NaN;
  return Number(m[1]) * 1024 ** ' KMGT'.indexOf(m[2] || ' ');
}

/** Processes of this machine that hold `file` open (a running guest's QEMU holds its base disk). */
function holders(file: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === file) {
          out.push(Number(pid));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return out;
}

/**
 * Makes a freshly bootstrapped tree a generic cloud guest: cloud-init's NoCloud seed, and no
 * identity of the build (host name, machine id, SSH host keys), so every guest gets its own.
 */
function configureTree(root: string): void {
  const put = (rel: string, text: string, mode = 0o644) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
    chmodSync(p, mode);
  };
  put(CLOUD_INIT_CFG_FILE, CLOUD_INIT_CFG);
  // cloud-init writes the host name, /etc/hosts and the SSH host keys at first boot.
  rmSync(join(root, 'etc', 'hostname'), { force: true });
  put('etc/hosts', '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n');
  for (const f of readdirSync(join(root, 'etc', 'ssh')))
    if (f.startsWith('ssh_host_')) rmSync(join(root, 'etc', 'ssh', f), { force: true });
  // systemd makes a machine id at first boot (empty file: not yet initialized).
  put('etc/machine-id', '');
  rmSync(join(root, 'var', 'lib', 'dbus', 'machine-id'), { force: true });
  // The build machine's resolvers are not the range's.
  rmSync(join(root, 'etc', 'resolv.conf'), { force: true });
  // The root file system is mounted by the initramfs (read-write); nothing else is.
  put('etc/fstab', `# / (LABEL=${DISK_LABEL}) is mounted read-write by the initramfs.\n`);
  // cloud-init's eni renderer writes interfaces.d/50-cloud-init; lo comes from there too.
  put('etc/network/interfaces', '# Interfaces are configured by cloud-init.\nsource /etc/network/interfaces.d/*\n');
  mkdirSync(join(root, 'etc', 'network', 'interfaces.d'), { recursive: true });
}

/**
 * Builds a Debian 12 cloud-init guest disk: mmdebstrap (minbase plus `CLOUD_DISK_PACKAGES`) into a
 * tree, configured by `configureTree`, written into an ext4 file system image (`mkfs.ext4 -d`,
 * the whole disk, no partition table) and converted to qcow2 unless `raw` is asked for. The result
 * replaces `DIR/disk/<name>/disk.{qcow2,img}` in one rename and is recorded in the catalog.
 */
export async function buildCloudDisk(
  imagesDir: string,
  name: string,
  opts: { size: string; format: DiskFormat; signal?: AbortSignal; log?: (line: string) => void },
): Promise<CatalogImage> {
  const log = opts.log ?? (() => {});
  const entry = imageEntryDir(imagesDir, 'disk', name);
  const target = join(entry, diskFileName(opts.format));
  const busy = holders(target);
  if (busy.length)
    throw new CyrangeError('CYR_CONFLICT', `disk "${name}" is the base of running guests (pid ${busy.join(', ')})`, {
      hint: 'destroy or stop the ranges that use it, or build under another --name',
    });
  const kindDir = join(imagesDir, 'disk');
  mkdirSync(kindDir, { recursive: true });
  const work = mkdtempSync(join(kindDir, `.build-${name}-`));
  const sig = opts.signal ? { signal: opts.signal } : {};
  const step = async (what: string, argv: string[], hint: string) => {
    const r = await run(argv, { ...sig, timeoutMs: BUILD_TIMEOUT_MS, allowFailure: true }).catch((e: unknown) => {
      throw new CyrangeError('CYR_RUNTIME', `disk "${name}": ${what}: ${(e as Error).message}`, { hint, cause: e });
    });
    if (r.code !== 0)
      throw new CyrangeError('CYR_RUNTIME', `disk "${name}": ${what} failed: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`, {
        hint,
      });
  };
  try {
    const tree = join(work, 'root');
    const include = [...CLOUD_DISK_PACKAGES];
    log(`mmdebstrap ${ROOTFS_SUITE} (minbase + ${include.join(',')})`);
    await step(
      'mmdebstrap',
      [
        'mmdebstrap',
        '--variant=minbase',
        `--include=${include.join(',')}`,
        // Manuals and translations are not needed in a guest.
        '--dpkgopt=path-exclude=/usr/share/man/*',
        '--dpkgopt=path-exclude=/usr/share/locale/*',
        '--dpkgopt=path-include=/usr/share/locale/locale.alias',
        '--dpkgopt=path-exclude=/usr/share/doc/*',
        '--dpkgopt=path-include=/usr/share/doc/*/copyright',
        ROOTFS_SUITE,
        tree,
      ],
      'apt-get install mmdebstrap (scripts/setup.sh does); it needs the Debian mirror (deb.debian.org)',
    );
    const packages = await installedPackages(tree, opts.signal);
    configureTree(tree);
    const raw = join(work, 'disk.img');
    log(`mkfs.ext4 -d (${opts.size})`);
    await step(
      'mkfs.ext4',
      ['mkfs.ext4', '-q', '-F', '-L', DISK_LABEL, '-d', tree, raw, opts.size],
      `the tree must fit in --size ${opts.size}`,
    );
    let built = raw;
    if (opts.format === 'qcow2') {
      built = join(work, 'disk.qcow2');
      log('qemu-img convert -O qcow2');
      await step('qemu-img convert', ['qemu-img', 'convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, built], 'apt-get install qemu-utils');
      rmSync(raw, { force: true });
    }
    // QEMU opens the base as root and hands it over; the VM user never needs the path.
    chmodSync(built, 0o644);
    const sha256 = await sha256File(built);
    mkdirSync(entry, { recursive: true });
    renameSync(built, target);
    // A build in the other format is stale now: the catalog names one file.
    for (const f of DISK_FORMATS.map(diskFileName)) if (join(entry, f) !== target) rmSync(join(entry, f), { force: true });
    const image: CatalogImage = {
      name,
      kind: 'disk',
      path: target,
      sha256,
      source: 'build-disk',
      packages,
      include,
      createdAt: new Date().toISOString(),
    };
    writeFileSync(join(entry, RECIPE_FILE), `${diskRecipe()}\n`);
    writeImageEntry(imagesDir, image);
    log(`disk ${name}: ${Object.keys(packages).length} packages, ${opts.format} ${target}`);
    return image;
  } finally {
    await unmountUnder(work);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Detaches what a killed mmdebstrap left mounted in its chroot, so removing the build cannot reach through a bind mount. */
async function unmountUnder(dir: string): Promise<void> {
  let lines: string[] = [];
  try {
    lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  } catch {
    return;
  }
  const points = lines
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of points) await run(['umount', '--lazy', m], { allowFailure: true });
}
