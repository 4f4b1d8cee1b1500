import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MicrovmSpec } from '../../model/index.js';
import { bootFiles, diskFormat } from './assets.js';

describe('bootFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'assets-'));
  const assets = join(dir, 'microvm');
  const images = join(dir, 'images');
  const file = (p: string) => {
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, 'x');
    return p;
  };
  file(join(assets, 'vmlinuz'));
  file(join(assets, 'initrd.img'));
  writeFileSync(join(assets, 'manifest.json'), JSON.stringify({ kernel: { file: 'vmlinuz' }, initrd: { file: 'initrd.img' } }));
  const register = (kind: string, name: string, path: string) => {
    mkdirSync(join(images, kind, name), { recursive: true });
    writeFileSync(
      join(images, kind, name, 'image.json'),
      JSON.stringify({ name, kind, path: file(path), sha256: '', source: 'add', createdAt: '' }),
    );
  };
  register('kernel', 'k1', join(images, 'kernel', 'k1', 'vmlinuz'));
  register('disk', 'd1', join(images, 'disk', 'd1', 'root.qcow2'));
  const own = file(join(dir, 'own', 'root.ext4'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const spec = (s: Partial<MicrovmSpec>): MicrovmSpec => ({ launcher: 'qemu', kernel: null, initrd: null, disk: null, append: null, ...s });

  it.each([
    ['the built assets without images', {}, { kernel: join(assets, 'vmlinuz'), initrd: join(assets, 'initrd.img'), disk: null }],
    [
      'catalog names',
      { kernel: 'k1', disk: 'd1' },
      { kernel: join(images, 'kernel/k1/vmlinuz'), initrd: join(assets, 'initrd.img'), disk: join(images, 'disk/d1/root.qcow2') },
    ],
    ['absolute paths', { disk: own }, { kernel: join(assets, 'vmlinuz'), initrd: join(assets, 'initrd.img'), disk: own }],
  ])('resolves %s', (_what, s, want) => {
    expect(bootFiles('vm', spec(s), assets, images)).toEqual(want);
  });

  it.each([
    [{ disk: 'nope' }, /no disk image "nope"/],
    [{ disk: join(dir, 'missing.img') }, /microvm disk .* does not exist/],
    [{ kernel: 'd1' }, /no kernel image "d1"/],
  ])('fails for %o', (s, err) => {
    expect(() => bootFiles('vm', spec(s), assets, images)).toThrow(err);
  });

  it.each([
    ['/a/root.qcow2', 'qcow2'],
    ['/a/root.ext4', 'raw'],
    ['/a/root.img', 'raw'],
  ])('takes %s as %s', (p, fmt) => {
    expect(diskFormat(p)).toBe(fmt);
  });
});
