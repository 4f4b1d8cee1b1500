import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_DISK_IMAGE,
  DEFAULT_ROOTFS_IMAGE,
  addImage,
  buildDiskImage,
  buildMicrovmImage,
  buildRootfsImage,
  configFromEnv,
  listAllImages,
  registerMicrovmImages,
} from '../../engine/index.js';
import { CyrangeError } from '../../model/index.js';
import { printJson, table } from '../output.js';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** `image build-microvm`, `image build-rootfs`, `image build-disk`, `image ls`, `image add`: the catalog of what hosts boot and run from. */
export function registerImageCommands(program: Command): void {
  const image = program.command('image').description('guest images: the catalog in CYRANGE_IMAGES and the microVM guest');
  image
    .command('build-microvm')
    .description(
      'build the microVM kernel and initramfs from Debian packages (linux-image-cloud-amd64, busybox-static) into CYRANGE_MICROVM_ASSETS (default /var/lib/cyrange/microvm); the catalog names them cyrange-kernel and cyrange-initrd',
    )
    .option('--out <dir>', 'write here instead (not recorded in the catalog)')
    .option('--if-missing', 'keep an earlier build whose files match their checksums')
    .option('--json', 'print the manifest as JSON')
    .action(async (o: { out?: string; ifMissing?: boolean; json?: boolean }) => {
      const cfg = configFromEnv();
      const r = await buildMicrovmImage(cfg, { ...(o.out ? { outDir: o.out } : {}), ifMissing: o.ifMissing ?? false, log });
      // Also when kept: a guest built before the catalog existed gets its entries now.
      if (!o.out) registerMicrovmImages(cfg, r.dir, r.manifest);
      if (o.json) {
        printJson({ dir: r.dir, built: r.built, ...r.manifest });
        return;
      }
      const m = r.manifest;
      process.stdout.write(
        `${r.built ? 'built' : 'kept'} microVM guest in ${r.dir}: kernel ${m.kernelRelease} (${m.kernelPackage} ${m.kernelVersion}), busybox ${m.busyboxVersion}\n` +
          `  ${m.kernel.file} sha256 ${m.kernel.sha256}\n  ${m.initrd.file} sha256 ${m.initrd.sha256}\n`,
      );
    });
  image
    .command('build-rootfs')
    .description(
      'build a Debian 12 root filesystem with mmdebstrap (minbase + tools) into CYRANGE_IMAGES/rootfs/NAME: the shared base of netns sandboxes',
    )
    .option('--name <name>', 'catalog name', DEFAULT_ROOTFS_IMAGE)
    .option('--packages <list>', 'comma-separated Debian packages to add to the defaults')
    .option('--if-missing', 'keep an earlier build of the same package list')
    .option('--json', 'print the catalog entry as JSON')
    .action(async (o: { name: string; packages?: string; ifMissing?: boolean; json?: boolean }) => {
      const packages = (o.packages ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const r = await buildRootfsImage(configFromEnv(), { name: o.name, packages, ifMissing: o.ifMissing ?? false, log });
      if (o.json) {
        printJson({ built: r.built, ...r.image, seccomp: r.seccomp });
        return;
      }
      const i = r.image;
      process.stdout.write(
        `${r.built ? 'built' : 'kept'} rootfs "${i.name}" in ${i.path}: ${Object.keys(i.packages ?? {}).length} packages, sha256 ${i.sha256}\n` +
          `  seccomp: Docker's default profile from ${r.seccomp.package} ${r.seccomp.version}, sha256 ${r.seccomp.sha256}\n`,
      );
    });
  image
    .command('build-disk')
    .description(
      'build a Debian 12 guest disk with mmdebstrap into CYRANGE_IMAGES/disk/NAME: with --cloud-init, systemd, cloud-init (NoCloud, seeded from the metadata service), sshd; for microvm hosts with `microvm: {disk: NAME, init: disk}`',
    )
    .option('--cloud-init', 'a cloud-init guest: host name, users, SSH keys and network come from the metadata service')
    .option('--name <name>', 'catalog name', DEFAULT_DISK_IMAGE)
    .option('--size <size>', 'file system size (mke2fs units: 1536M, 2G)', '2G')
    .option('--format <format>', 'qcow2 or raw', 'qcow2')
    .option('--if-missing', 'keep an earlier build by the same recipe and format whose file matches its checksum')
    .option('--json', 'print the catalog entry as JSON')
    .action(async (o: { cloudInit?: boolean; name: string; size: string; format: string; ifMissing?: boolean; json?: boolean }) => {
      const r = await buildDiskImage(configFromEnv(), {
        cloudInit: o.cloudInit ?? false,
        name: o.name,
        size: o.size,
        format: o.format,
        ifMissing: o.ifMissing ?? false,
        log,
      });
      if (o.json) {
        printJson({ built: r.built, ...r.image });
        return;
      }
      const i = r.image;
      process.stdout.write(
        `${r.built ? 'built' : 'kept'} disk "${i.name}" in ${i.path}: ${Object.keys(i.packages ?? {}).length} packages, sha256 ${i.sha256}\n`,
      );
    });
  image
    .command('ls')
    .description('list the catalog: rootfs images, kernels, initrds, disks')
    .option('--json', 'print the entries as JSON')
    .action((o: { json?: boolean }) => {
      const all = listAllImages(configFromEnv());
      if (o.json) {
        printJson(all);
        return;
      }
      const rows = all.map((i) => [i.name, i.kind, i.path, i.sha256.slice(0, 12), i.source, i.createdAt.slice(0, 16).replace('T', ' ')]);
      process.stdout.write(`${table(['NAME', 'KIND', 'PATH', 'SHA256', 'SOURCE', 'CREATED'], rows)}\n`);
    });
  image
    .command('add')
    .description('register an existing file (a directory for rootfs) in the catalog (admin: root only)')
    .argument('<name>', 'catalog name')
    .argument('<file>', 'the file or directory; recorded by absolute path')
    .requiredOption('--kind <kind>', 'rootfs, kernel, initrd or disk')
    .option('--json', 'print the catalog entry as JSON')
    .action(async (name: string, file: string, o: { kind: string; json?: boolean }) => {
      // The catalog is machine-wide and its paths are trusted as they are: the admin's, and locally that is root.
      if (process.getuid?.() !== 0) throw new CyrangeError('CYR_FORBIDDEN', 'image add is for the admin: run it as root');
      const i = await addImage(configFromEnv(), { name, file: resolve(file), kind: o.kind });
      if (o.json) {
        printJson(i);
        return;
      }
      process.stdout.write(`added ${i.kind} image "${i.name}": ${i.path} sha256 ${i.sha256}\n`);
    });
}
