import type { Command } from 'commander';
import { buildMicrovmImage, configFromEnv } from '../../engine/index.js';

/** `image build-microvm`: the guest kernel and initramfs microVM hosts boot from. */
export function registerImageCommands(program: Command): void {
  const image = program.command('image').description('guest images');
  image
    .command('build-microvm')
    .description(
      'build the microVM kernel and initramfs from Debian packages (linux-image-cloud-amd64, busybox-static) into CYRANGE_MICROVM_ASSETS (default STATE_DIR/microvm)',
    )
    .option('--out <dir>', 'write here instead')
    .option('--if-missing', 'keep an earlier build whose files match their checksums')
    .option('--json', 'print the manifest as JSON')
    .action(async (o: { out?: string; ifMissing?: boolean; json?: boolean }) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const r = await buildMicrovmImage(configFromEnv(), { ...(o.out ? { outDir: o.out } : {}), ifMissing: o.ifMissing ?? false, log });
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ dir: r.dir, built: r.built, ...r.manifest }, null, 2)}\n`);
        return;
      }
      const m = r.manifest;
      process.stdout.write(
        `${r.built ? 'built' : 'kept'} microVM guest in ${r.dir}: kernel ${m.kernelRelease} (${m.kernelPackage} ${m.kernelVersion}), busybox ${m.busyboxVersion}\n` +
          `  ${m.kernel.file} sha256 ${m.kernel.sha256}\n  ${m.initrd.file} sha256 ${m.initrd.sha256}\n`,
      );
    });
}
