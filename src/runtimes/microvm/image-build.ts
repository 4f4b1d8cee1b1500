import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { libexecPath } from '../../sys/index.js';
import { CyrangeError } from '../../model/index.js';
import { type AssetManifest, MANIFEST, sha256Of } from './assets.js';
import { type CpioEntry, writeCpio } from './cpio.js';
import { debField, downloadDeb, unpackDeb } from '../images/apt.js';

/** Guest modules, in load order: the virtio transport, the NIC, the control port, the disk, the balloon, fw_cfg. */
export const GUEST_MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_legacy_dev',
  'virtio_pci_modern_dev',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
  'virtio_console',
  'virtio_blk',
  'virtio_balloon',
  'qemu_fw_cfg',
] as const;

const KERNEL_META = 'linux-image-cloud-amd64';

function findFiles(root: string, pred: (name: string) => boolean, out: string[] = []): string[] {
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isDirectory()) findFiles(p, pred, out);
    else if (pred(e.name)) out.push(p);
  }
  return out;
}

/** The project's files copied into the initramfs: guest path, libexec path, mode. */
const GUEST_FILES: ReadonlyArray<readonly [string, string, number]> = [
  ['init', 'microvm/init', 0o755],
  ['lib/cyrange/netcfg.sh', 'microvm/netcfg.sh', 0o644],
  ['lib/cyrange/udhcpc-script', 'udhcpc-script', 0o755],
];

/** One SHA-256 over the guest files as this checkout has them: a build made from other ones is stale. */
export function guestFilesDigest(): string {
  const h = createHash('sha256');
  for (const [path, src] of GUEST_FILES)
    h.update(`${path}\0`)
      .update(readFileSync(libexecPath(src)))
      .update('\0');
  return h.digest('hex');
}

/**
 * Builds the guest kernel and initramfs from Debian packages into `outDir`: the kernel from
 * `linux-image-cloud-amd64` (its .deb unpacked), an initramfs of busybox-static, the project's
 * guest init and the virtio modules. Records versions and checksums in manifest.json.
 */
export async function buildMicrovmAssets(outDir: string, log: (line: string) => void = () => {}): Promise<AssetManifest> {
  const work = mkdtempSync(join(tmpdir(), 'cyrange-microvm-'));
  try {
    log(`downloading ${KERNEL_META} and busybox-static`);
    const meta = await downloadDeb(work, KERNEL_META);
    const kernelPkg = (await debField(meta, 'Depends')).split(/[ ,(]/)[0] ?? '';
    if (!kernelPkg.startsWith('linux-image-'))
      throw new CyrangeError('CYR_RUNTIME', `${KERNEL_META} depends on "${kernelPkg}", not a kernel`);
    const [kdeb, bdeb] = [await downloadDeb(work, kernelPkg), await downloadDeb(work, 'busybox-static')];
    const root = join(work, 'x');
    for (const deb of [kdeb, bdeb]) await unpackDeb(deb, root);
    const release = readdirSync(join(root, 'lib', 'modules'))[0] ?? '';
    const vmlinuz = join(root, 'boot', `vmlinuz-${release}`);
    statSync(vmlinuz);
    const kos = findFiles(join(root, 'lib', 'modules', release), (n) => n.endsWith('.ko'));
    const modules = GUEST_MODULES.filter((m) => kos.some((k) => k.endsWith(`/${m}.ko`)));
    log(`kernel ${release}, modules: ${modules.join(' ')}`);
    const file = (path: string, src: string, mode = 0o644): CpioEntry => ({ kind: 'file', path, data: readFileSync(src), mode });
    const entries: CpioEntry[] = [
      ...['bin', 'dev', 'etc', 'etc/cyrange', 'lib', 'lib/cyrange', 'lib/modules', 'proc', 'root', 'run', 'sys', 'tmp'].map(
        (path): CpioEntry => ({ kind: 'dir', path }),
      ),
      { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
      file('bin/busybox', join(root, 'bin', 'busybox'), 0o755),
      ...GUEST_FILES.map(([path, src, mode]) => file(path, libexecPath(src), mode)),
      { kind: 'file', path: 'etc/cyrange/modules', data: Buffer.from(`${modules.join('\n')}\n`) },
      ...modules.map((m) => file(`lib/modules/${m}.ko`, kos.find((k) => k.endsWith(`/${m}.ko`)) as string)),
    ];
    mkdirSync(outDir, { recursive: true });
    const kernelFile = `vmlinuz-${release}`;
    const initrdFile = `initrd-${release}.img`;
    copyFileSync(vmlinuz, join(outDir, `${kernelFile}.tmp`));
    writeFileSync(join(outDir, `${initrdFile}.tmp`), gzipSync(writeCpio(entries)));
    renameSync(join(outDir, `${kernelFile}.tmp`), join(outDir, kernelFile));
    renameSync(join(outDir, `${initrdFile}.tmp`), join(outDir, initrdFile));
    const manifest: AssetManifest = {
      kernelPackage: kernelPkg,
      kernelVersion: await debField(kdeb, 'Version'),
      kernelRelease: release,
      busyboxVersion: await debField(bdeb, 'Version'),
      modules,
      kernel: { file: kernelFile, sha256: sha256Of(join(outDir, kernelFile)) },
      initrd: { file: initrdFile, sha256: sha256Of(join(outDir, initrdFile)) },
      guestFiles: guestFilesDigest(),
      builtAt: new Date().toISOString(),
    };
    writeFileSync(join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
