import { resolve } from 'node:path';
import {
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

/** `image build-microvm`: the microVM kernel and initramfs, recorded in the catalog unless `--out`. */
export async function buildMicrovm(o: { out?: string; ifMissing?: boolean; json?: boolean }): Promise<void> {
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
}

/** `image build-rootfs`. */
export async function buildRootfs(o: { name: string; packages?: string; ifMissing?: boolean; json?: boolean }): Promise<void> {
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
}

/** What `image build-disk` takes. */
export interface BuildDiskOptions {
  cloudInit?: boolean;
  name: string;
  size: string;
  format: string;
  ifMissing?: boolean;
  json?: boolean;
}

/** `image build-disk`. */
export async function buildDisk(o: BuildDiskOptions): Promise<void> {
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
}

/** `image ls`. */
export function imageLs(o: { json?: boolean }): void {
  const all = listAllImages(configFromEnv());
  if (o.json) {
    printJson(all);
    return;
  }
  const rows = all.map((i) => [i.name, i.kind, i.path, i.sha256.slice(0, 12), i.source, i.createdAt.slice(0, 16).replace('T', ' ')]);
  process.stdout.write(`${table(['NAME', 'KIND', 'PATH', 'SHA256', 'SOURCE', 'CREATED'], rows)}\n`);
}

/** `image add NAME FILE --kind K` (root only). */
export async function imageAdd(name: string, file: string, o: { kind: string; json?: boolean }): Promise<void> {
  // The catalog is machine-wide and its paths are trusted as they are: the admin's, and locally that is root.
  if (process.getuid?.() !== 0) throw new CyrangeError('CYR_FORBIDDEN', 'image add is for the admin: run it as root');
  const i = await addImage(configFromEnv(), { name, file: resolve(file), kind: o.kind });
  if (o.json) {
    printJson(i);
    return;
  }
  process.stdout.write(`added ${i.kind} image "${i.name}": ${i.path} sha256 ${i.sha256}\n`);
}
