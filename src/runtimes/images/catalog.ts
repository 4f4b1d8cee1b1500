import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CyrangeError } from '../../model/index.js';

/** What a catalog image is used as. */
export type ImageKind = 'rootfs' | 'kernel' | 'initrd' | 'disk';

/** Every image kind, in the order `listImages` returns them. */
export const IMAGE_KINDS: readonly ImageKind[] = ['rootfs', 'kernel', 'initrd', 'disk'];

/** Whether a string names an image kind. */
export function isImageKind(s: string): s is ImageKind {
  return (IMAGE_KINDS as readonly string[]).includes(s);
}

/** Where `cyrange image` keeps images when `CYRANGE_IMAGES` is unset; not under the state directory, so every store finds them. */
export const DEFAULT_IMAGES_DIR = '/var/lib/cyrange/images';

/** One image known to Cyrange: built by `cyrange image build-*` or registered by `cyrange image add`. */
export interface CatalogImage {
  readonly name: string;
  readonly kind: ImageKind;
  /** Absolute path: a directory for `rootfs`, a file otherwise. */
  readonly path: string;
  /** SHA-256 of the file, or of the sorted file list and package versions for a rootfs. */
  readonly sha256: string;
  /** How it was made: `build-rootfs`, `build-microvm`, `build-disk` or `add`. */
  readonly source: string;
  /** Debian packages and versions it was built from, when built here. */
  readonly packages?: Readonly<Record<string, string>>;
  /** Packages asked for when built here (`build-rootfs --packages` plus the defaults), sorted. */
  readonly include?: readonly string[];
  readonly createdAt: string;
}

const MANIFEST = 'image.json';

/** Every image in the catalog directory (`DIR/<kind>/<name>/image.json`), sorted by kind and name. */
export function listImages(dir: string): CatalogImage[] {
  const out: CatalogImage[] = [];
  for (const kind of IMAGE_KINDS) {
    let names: string[];
    try {
      names = readdirSync(join(dir, kind));
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const p = join(dir, kind, n, MANIFEST);
      if (!existsSync(p)) continue;
      try {
        out.push(JSON.parse(readFileSync(p, 'utf8')) as CatalogImage);
      } catch {
        // a half-written entry is not an image
      }
    }
  }
  return out;
}

/** The catalog entry of that name and kind; a missing one fails with the names there are. */
export function findImage(dir: string, name: string, kind: ImageKind): CatalogImage {
  const all = listImages(dir).filter((i) => i.kind === kind);
  const hit = all.find((i) => i.name === name);
  if (hit) return hit;
  throw new CyrangeError('CYR_NOT_FOUND', `no ${kind} image "${name}" in the catalog (${dir})`, {
    hint: all.length
      ? `images of kind ${kind}: ${all.map((i) => i.name).join(', ')}`
      : kind === 'rootfs'
        ? 'run `cyrange image build-rootfs` (the set-up does), or set CYRANGE_IMAGES'
        : kind === 'disk'
          ? 'see `cyrange image ls`; `cyrange image add NAME FILE --kind disk` registers one'
          : `run \`cyrange image build-microvm\` (it registers cyrange-kernel and cyrange-initrd), or \`cyrange image add NAME FILE --kind ${kind}\``,
  });
}

/** A blueprint's image reference as a path: an absolute path stays as it is (admission allowed it), a name is looked up. */
export function resolveImageRef(dir: string, ref: string, kind: ImageKind): string {
  return isAbsolute(ref) ? ref : findImage(dir, ref, kind).path;
}

/** Directory of one catalog entry. */
export function imageEntryDir(dir: string, kind: ImageKind, name: string): string {
  return join(dir, kind, name);
}

/** File name of an entry's manifest inside its directory. */
export const IMAGE_MANIFEST = MANIFEST;

/** Writes an entry's manifest (`DIR/<kind>/<name>/image.json`) atomically, so a reader never sees half of it. */
export function writeImageEntry(dir: string, image: CatalogImage): string {
  const entry = imageEntryDir(dir, image.kind, image.name);
  mkdirSync(entry, { recursive: true });
  const p = join(entry, MANIFEST);
  writeFileSync(`${p}.tmp`, `${JSON.stringify(image, null, 2)}\n`);
  renameSync(`${p}.tmp`, p);
  return p;
}
