import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CyrangeError, type MicrovmSpec } from '../../model/index.js';
import { resolveImageRef } from '../images/catalog.js';

/** One built file: its name in the assets directory and its SHA-256. */
export interface AssetFile {
  readonly file: string;
  readonly sha256: string;
}

/** What `image build-microvm` records next to the kernel and initramfs it made. */
export interface AssetManifest {
  readonly kernelPackage: string;
  readonly kernelVersion: string;
  readonly kernelRelease: string;
  readonly busyboxVersion: string;
  readonly modules: readonly string[];
  readonly kernel: AssetFile;
  readonly initrd: AssetFile;
  /** SHA-256 over the project's guest files that went into the initramfs (absent in older builds). */
  readonly guestFiles?: string;
  readonly builtAt: string;
}

export const MANIFEST = 'manifest.json';

/** The SHA-256 of a file, hex. */
export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The manifest in an assets directory, or null when nothing was built there. */
export function readManifest(dir: string): AssetManifest | null {
  const p = join(dir, MANIFEST);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as AssetManifest) : null;
}

/** Kernel, initramfs and base disk a guest boots from: the blueprint's own images over the built assets. */
export interface BootFiles {
  readonly kernel: string;
  readonly initrd: string | null;
  readonly disk: string | null;
}

/**
 * Resolves a host's boot files: `microvm.kernel/initrd/disk` are catalog names (in `imagesDir`) or
 * absolute paths; without a kernel and initramfs the built assets are used. A missing file is an
 * error that names it and how to make it.
 */
export function bootFiles(host: string, spec: MicrovmSpec, assetsDir: string, imagesDir: string): BootFiles {
  const m = spec.kernel && spec.initrd ? null : readManifest(assetsDir);
  const built = (f: AssetFile | undefined, what: string) => {
    if (!f)
      throw new CyrangeError('CYR_NOT_FOUND', `host "${host}": no microVM ${what} in ${assetsDir}`, {
        hint: 'run `cyrange image build-microvm` (or set CYRANGE_MICROVM_ASSETS)',
      });
    return join(assetsDir, f.file);
  };
  const image = (ref: string | null, kind: 'kernel' | 'initrd' | 'disk') => (ref === null ? null : resolveImageRef(imagesDir, ref, kind));
  const files = {
    kernel: image(spec.kernel, 'kernel') ?? built(m?.kernel, 'kernel'),
    initrd: image(spec.initrd, 'initrd') ?? built(m?.initrd, 'initramfs'),
    disk: image(spec.disk, 'disk'),
  };
  for (const [what, p] of Object.entries(files))
    if (p !== null && !existsSync(p)) throw new CyrangeError('CYR_NOT_FOUND', `host "${host}": microvm ${what} ${p} does not exist`);
  return files;
}

/** The format of a base disk, by its name: `.qcow2` files are qcow2, everything else raw. */
export function diskFormat(path: string): 'raw' | 'qcow2' {
  return path.endsWith('.qcow2') ? 'qcow2' : 'raw';
}
