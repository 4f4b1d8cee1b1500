import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AssetManifest, guestFilesDigest, sha256Of } from '../runtimes/index.js';
import { intactBuild } from './microvm-image.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An assets directory with a kernel and an initramfs, and a manifest naming them with `guestFiles`. */
function build(guestFiles: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'cyrange-assets-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'vmlinuz-x'), 'kernel');
  writeFileSync(join(dir, 'initrd-x.img'), 'initrd');
  const m: AssetManifest = {
    kernelPackage: 'linux-image-x',
    kernelVersion: '1',
    kernelRelease: 'x',
    busyboxVersion: '1',
    modules: [],
    kernel: { file: 'vmlinuz-x', sha256: sha256Of(join(dir, 'vmlinuz-x')) },
    initrd: { file: 'initrd-x.img', sha256: sha256Of(join(dir, 'initrd-x.img')) },
    ...(guestFiles === undefined ? {} : { guestFiles }),
    builtAt: '2026-01-01T00:00:00Z',
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
  return dir;
}

describe('build-microvm --if-missing keeps only a build of this checkout', () => {
  it('keeps a build whose files and guest init match', () => {
    expect(intactBuild(build(guestFilesDigest()))?.kernelRelease).toBe('x');
  });

  it.each([
    ['made from another guest init', 'f'.repeat(64)],
    ['made before guest files were recorded', undefined],
  ])('rebuilds one %s', (_what, digest) => {
    expect(intactBuild(build(digest))).toBeNull();
  });

  it('rebuilds one whose initramfs changed since', () => {
    const dir = build(guestFilesDigest());
    writeFileSync(join(dir, 'initrd-x.img'), 'tampered');
    expect(intactBuild(dir)).toBeNull();
  });
});
