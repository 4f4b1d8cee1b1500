import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, runCmd, tempStateDir } from './helpers.js';

// The set-up builds the machine's catalog; these tests only read it. What they add goes to a temporary catalog.
const IMAGES = process.env.CYRANGE_IMAGES || '/var/lib/cyrange/images';
const state = tempStateDir();
afterAll(() => state.cleanup());

interface Entry {
  readonly name: string;
  readonly kind: string;
  readonly path: string;
  readonly sha256: string;
  readonly source: string;
  readonly packages?: Record<string, string>;
}

const ls = async (images: string): Promise<Entry[]> => {
  const r = await cli(['image', 'ls', '--json'], { stateDir: state.dir, env: { CYRANGE_IMAGES: images } });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Entry[];
};

describe('the machine catalog', () => {
  it('build-rootfs --if-missing keeps what the set-up built, quickly', async () => {
    const t0 = Date.now();
    const r = await cli(['image', 'build-rootfs', '--if-missing', '--json'], { stateDir: state.dir, env: { CYRANGE_IMAGES: IMAGES } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ built: false, name: 'debian-base', kind: 'rootfs' });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('image ls shows debian-base, and its packages are what dpkg in that root says', async () => {
    const base = (await ls(IMAGES)).find((i) => i.kind === 'rootfs' && i.name === 'debian-base');
    expect(base).toMatchObject({ source: 'build-rootfs', path: join(IMAGES, 'rootfs', 'debian-base', 'root') });
    const root = base?.path as string;
    for (const f of ['usr/bin/tini', 'bin/busybox', 'usr/bin/iperf3', 'usr/bin/tcpdump', 'bin/bash'])
      expect(existsSync(join(root, f)), f).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's field syntax
    const q = await runCmd(['dpkg-query', `--admindir=${root}/var/lib/dpkg`, '-W', '-f', '${Package}=${Version}\\n']);
    const dpkg = Object.fromEntries(
      q.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=')),
    );
    expect(base?.packages).toEqual(dpkg);
    expect(Object.keys(dpkg)).toEqual(expect.arrayContaining(['iproute2', 'tini', 'curl', 'netcat-openbsd']));
  });

  it('the table lists it too', async () => {
    const r = await cli(['image', 'ls'], { stateDir: state.dir, env: { CYRANGE_IMAGES: IMAGES } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+PATH\s+SHA256\s+SOURCE\s+CREATED$/);
    expect(r.stdout).toMatch(/^debian-base\s+rootfs\s+\//m);
  });
});

describe('image add', () => {
  const images = join(state.dir, 'images');
  const env = { CYRANGE_IMAGES: images };
  const disk = join(state.dir, 'disk.img');
  const root = join(state.dir, 'myroot');
  writeFileSync(disk, 'not really a disk');
  mkdirSync(join(root, 'etc'), { recursive: true });

  it.each([
    { name: 'scratch-disk', file: disk, kind: 'disk' },
    { name: 'my-root', file: root, kind: 'rootfs' },
  ])('registers $kind $name and image ls shows it', async ({ name, file, kind }) => {
    const r = await cli(['image', 'add', name, file, '--kind', kind, '--json'], { stateDir: state.dir, env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name, kind, path: file, source: 'add' });
    expect(await ls(images)).toEqual(expect.arrayContaining([expect.objectContaining({ name, kind, path: file })]));
  });

  it('the disk is recorded with the checksum sha256sum gives', async () => {
    const sum = (await runCmd(['sha256sum', disk])).stdout.split(' ')[0];
    expect((await ls(images)).find((i) => i.name === 'scratch-disk')?.sha256).toBe(sum);
  });

  it.each([
    { what: 'a bad name', args: ['Bad_Name', disk, '--kind', 'disk'], field: /^error: NAME: "Bad_Name" is not an image name/m },
    { what: 'a missing file', args: ['ok', join(state.dir, 'missing'), '--kind', 'disk'], field: /^error: FILE: .* does not exist/m },
    { what: 'a directory as a kernel', args: ['ok', root, '--kind', 'kernel'], field: /^error: FILE: .* is not a regular file/m },
    { what: 'a file as a rootfs', args: ['ok', disk, '--kind', 'rootfs'], field: /^error: FILE: .* is not a directory/m },
    { what: 'an unknown kind', args: ['ok', disk, '--kind', 'firmware'], field: /^error: --kind: "firmware" is not an image kind/m },
  ])('refuses $what with exit 2, naming the argument', async ({ args, field }) => {
    const r = await cli(['image', 'add', ...args], { stateDir: state.dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(field);
    expect((await ls(images)).some((i) => i.name === 'ok')).toBe(false);
  });
});
