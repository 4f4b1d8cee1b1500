import type { Command } from 'commander';
import type { DEFAULT_DISK_IMAGE, DEFAULT_ROOTFS_IMAGE } from '../../engine/index.js';
import type { BuildDiskOptions } from '../actions/image.js';

// The engine's default image names, checked against them at compile time.
const DEFAULT_ROOTFS: typeof DEFAULT_ROOTFS_IMAGE = 'debian-base';
const DEFAULT_DISK: typeof DEFAULT_DISK_IMAGE = 'debian-cloud';

const actions = () => import('../actions/image.js');

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
    .action(async (o: { out?: string; ifMissing?: boolean; json?: boolean }) => (await actions()).buildMicrovm(o));
  image
    .command('build-rootfs')
    .description(
      'build a Debian 12 root filesystem with mmdebstrap (minbase + tools) into CYRANGE_IMAGES/rootfs/NAME: the shared base of netns sandboxes',
    )
    .option('--name <name>', 'catalog name', DEFAULT_ROOTFS)
    .option('--packages <list>', 'comma-separated Debian packages to add to the defaults')
    .option('--if-missing', 'keep an earlier build of the same package list')
    .option('--json', 'print the catalog entry as JSON')
    .action(async (o: { name: string; packages?: string; ifMissing?: boolean; json?: boolean }) => (await actions()).buildRootfs(o));
  image
    .command('build-disk')
    .description(
      'build a Debian 12 guest disk with mmdebstrap into CYRANGE_IMAGES/disk/NAME: with --cloud-init, systemd, cloud-init (NoCloud, seeded from the metadata service), sshd; for microvm hosts with `microvm: {disk: NAME, init: disk}`',
    )
    .option('--cloud-init', 'a cloud-init guest: host name, users, SSH keys and network come from the metadata service')
    .option('--name <name>', 'catalog name', DEFAULT_DISK)
    .option('--size <size>', 'file system size (mke2fs units: 1536M, 2G)', '2G')
    .option('--format <format>', 'qcow2 or raw', 'qcow2')
    .option('--if-missing', 'keep an earlier build by the same recipe and format whose file matches its checksum')
    .option('--json', 'print the catalog entry as JSON')
    .action(async (o: BuildDiskOptions) => (await actions()).buildDisk(o));
  image
    .command('ls')
    .description('list the catalog: rootfs images, kernels, initrds, disks')
    .option('--json', 'print the entries as JSON')
    .action(async (o: { json?: boolean }) => (await actions()).imageLs(o));
  image
    .command('add')
    .description('register an existing file (a directory for rootfs) in the catalog (admin: root only)')
    .argument('<name>', 'catalog name')
    .argument('<file>', 'the file or directory; recorded by absolute path')
    .requiredOption('--kind <kind>', 'rootfs, kernel, initrd or disk')
    .option('--json', 'print the catalog entry as JSON')
    .action(async (name: string, file: string, o: { kind: string; json?: boolean }) => (await actions()).imageAdd(name, file, o));
}
