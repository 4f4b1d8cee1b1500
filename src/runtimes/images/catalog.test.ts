import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addImage, configFromEnv, listAllImages, registerMicrovmImages } from '../../engine/index.js';
import type { AssetManifest } from '../microvm/assets.js';
import { type CatalogImage, findImage, listImages, resolveImageRef, writeImageEntry } from './catalog.js';
import { sha256Packages, sha256Tree } from './digest.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cyrange-catalog-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (name: string, kind: CatalogImage['kind'], path = `/x/${name}`): CatalogImage => ({
  name,
  kind,
  path,
  sha256: '0'.repeat(64),
  source: 'add',
  createdAt: '2025-01-01T00:00:00.000Z',
});

const cfg = () => configFromEnv({ CYRANGE_IMAGES: join(dir, 'images'), CYRANGE_MICROVM_ASSETS: join(dir, 'microvm') });

describe('listImages, findImage, resolveImageRef', () => {
  beforeEach(() => {
    for (const e of [entry('zeta', 'rootfs'), entry('alpha', 'rootfs'), entry('k1', 'kernel'), entry('d1', 'disk')])
      writeImageEntry(dir, e);
    // Not entries: a build in progress and a half-written manifest.
    mkdirSync(join(dir, 'rootfs', '.build-x-1'), { recursive: true });
    mkdirSync(join(dir, 'initrd', 'broken'), { recursive: true });
    writeFileSync(join(dir, 'initrd', 'broken', 'image.json'), '{"name":');
  });

  it('lists by kind, then name, skipping what is not an entry', () => {
    expect(listImages(dir).map((i) => `${i.kind}/${i.name}`)).toEqual(['rootfs/alpha', 'rootfs/zeta', 'kernel/k1', 'disk/d1']);
  });

  it('an empty or missing catalog lists nothing', () => {
    expect(listImages(join(dir, 'nope'))).toEqual([]);
  });

  it.each([
    { name: 'alpha', kind: 'rootfs', path: '/x/alpha' },
    { name: 'k1', kind: 'kernel', path: '/x/k1' },
  ] as const)('finds $kind $name', ({ name, kind, path }) => {
    expect(findImage(dir, name, kind).path).toBe(path);
  });

  it.each([
    { name: 'beta', kind: 'rootfs', hint: /images of kind rootfs: alpha, zeta/ },
    { name: 'k1', kind: 'initrd', hint: /cyrange image build-microvm/ },
    { name: 'd2', kind: 'disk', hint: /images of kind disk: d1/ },
    { name: 'alpha', kind: 'disk', hint: /images of kind disk: d1/ },
  ] as const)('a missing $kind "$name" fails with the names there are', ({ name, kind, hint }) => {
    expect(() => findImage(dir, name, kind)).toThrow(expect.objectContaining({ code: 'CYR_NOT_FOUND', hint: expect.stringMatching(hint) }));
    expect(() => findImage(dir, name, kind)).toThrow(new RegExp(`no ${kind} image "${name}"`));
  });

  it.each([
    { ref: 'zeta', want: '/x/zeta' },
    { ref: '/srv/my-root', want: '/srv/my-root' },
  ])('resolveImageRef($ref)', ({ ref, want }) => {
    expect(resolveImageRef(dir, ref, 'rootfs')).toBe(want);
  });
});

describe('digests', () => {
  it('a package set hashes the same in any order', () => {
    expect(sha256Packages({ b: '2', a: '1' })).toBe(sha256Packages({ a: '1', b: '2' }));
    expect(sha256Packages({ a: '1' })).not.toBe(sha256Packages({ a: '2' }));
  });

  it('a tree hashes its file list, not its contents', () => {
    const t = join(dir, 't');
    mkdirSync(join(t, 'etc'), { recursive: true });
    writeFileSync(join(t, 'etc', 'hostname'), 'a');
    const before = sha256Tree(t);
    writeFileSync(join(t, 'etc', 'hostname'), 'b');
    expect(sha256Tree(t)).toBe(before);
    writeFileSync(join(t, 'etc', 'hosts'), '');
    expect(sha256Tree(t)).not.toBe(before);
  });
});

describe('addImage', () => {
  let file: string;
  let root: string;
  beforeEach(() => {
    file = join(dir, 'vmlinuz');
    writeFileSync(file, 'kernel bytes');
    root = join(dir, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
  });

  it.each([
    { name: 'Bad_Name', kind: 'kernel', which: 'file', err: /^NAME: "Bad_Name" is not an image name/ },
    { name: '-x', kind: 'kernel', which: 'file', err: /^NAME: / },
    { name: 'k', kind: 'firmware', which: 'file', err: /^--kind: "firmware" is not an image kind/ },
    { name: 'k', kind: 'kernel', which: 'missing', err: /^FILE: .* does not exist/ },
    { name: 'k', kind: 'kernel', which: 'relative', err: /^FILE: "vmlinuz" is not an absolute path/ },
    { name: 'k', kind: 'kernel', which: 'dir', err: /^FILE: .* is not a regular file/ },
    { name: 'r', kind: 'rootfs', which: 'file', err: /^FILE: .* is not a directory/ },
  ])('refuses $name $kind $which: $err', async ({ name, kind, which, err }) => {
    const f = { file, dir: root, missing: join(dir, 'nope'), relative: 'vmlinuz' }[which] as string;
    await expect(addImage(cfg(), { name, file: f, kind })).rejects.toMatchObject({
      code: 'CYR_INVALID',
      message: expect.stringMatching(err),
    });
    expect(listImages(cfg().imagesDir)).toEqual([]);
  });

  it.each([
    { kind: 'kernel', which: 'file' },
    { kind: 'rootfs', which: 'dir' },
  ] as const)('registers a $kind and finds it', async ({ kind, which }) => {
    const f = which === 'file' ? file : root;
    const i = await addImage(cfg(), { name: 'mine', file: f, kind });
    expect(i).toMatchObject({ name: 'mine', kind, path: f, source: 'add' });
    expect(i.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(i.sha256).toBe(which === 'dir' ? sha256Tree(root) : createHash('sha256').update('kernel bytes').digest('hex'));
    expect(findImage(cfg().imagesDir, 'mine', kind)).toEqual(i);
  });

  it('adding again replaces its own entry but never a built one', async () => {
    await addImage(cfg(), { name: 'mine', file, kind: 'disk' });
    await expect(addImage(cfg(), { name: 'mine', file, kind: 'disk' })).resolves.toMatchObject({ source: 'add' });
    writeImageEntry(cfg().imagesDir, { ...entry('debian-base', 'rootfs'), source: 'build-rootfs' });
    await expect(addImage(cfg(), { name: 'debian-base', file: root, kind: 'rootfs' })).rejects.toMatchObject({ code: 'CYR_EXISTS' });
  });
});

describe('the microVM guest in the catalog', () => {
  const manifest: AssetManifest = {
    kernelPackage: 'linux-image-6.1.0-1-cloud-amd64',
    kernelVersion: '6.1.1-1',
    kernelRelease: '6.1.0-1-cloud-amd64',
    busyboxVersion: '1:1.35.0-4',
    modules: [],
    kernel: { file: 'vmlinuz-6.1.0-1-cloud-amd64', sha256: 'a'.repeat(64) },
    initrd: { file: 'initrd-6.1.0-1-cloud-amd64.img', sha256: 'b'.repeat(64) },
    builtAt: '2025-01-01T00:00:00.000Z',
  };

  it('registered: findImage names cyrange-kernel and cyrange-initrd', () => {
    registerMicrovmImages(cfg(), cfg().microvmAssets, manifest);
    expect(findImage(cfg().imagesDir, 'cyrange-kernel', 'kernel').path).toBe(join(cfg().microvmAssets, manifest.kernel.file));
    expect(findImage(cfg().imagesDir, 'cyrange-initrd', 'initrd')).toMatchObject({ sha256: 'b'.repeat(64), source: 'build-microvm' });
  });

  it('built but not registered: listAllImages still shows it, once', () => {
    mkdirSync(cfg().microvmAssets, { recursive: true });
    writeFileSync(join(cfg().microvmAssets, 'manifest.json'), JSON.stringify(manifest));
    writeImageEntry(cfg().imagesDir, entry('debian-base', 'rootfs'));
    expect(listAllImages(cfg()).map((i) => `${i.kind}/${i.name}`)).toEqual([
      'rootfs/debian-base',
      'kernel/cyrange-kernel',
      'initrd/cyrange-initrd',
    ]);
    registerMicrovmImages(cfg(), cfg().microvmAssets, manifest);
    expect(listAllImages(cfg())).toHaveLength(3);
  });
});
