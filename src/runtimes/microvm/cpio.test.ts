import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCpio } from './cpio.js';

describe('writeCpio', () => {
  it('writes newc archives that busybox cpio unpacks, with modes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpio-'));
    try {
      const archive = writeCpio([
        { kind: 'dir', path: 'etc' },
        { kind: 'file', path: '/etc/a.txt', data: Buffer.from('hello') },
        { kind: 'file', path: 'init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      ]);
      expect(archive.length % 4).toBe(0);
      writeFileSync(join(dir, 'x.cpio'), archive);
      const listing = execFileSync('busybox', ['cpio', '-t', '-F', join(dir, 'x.cpio')], { encoding: 'utf8' });
      expect(listing.trim().split('\n')).toEqual(['etc', 'etc/a.txt', 'init']);
      execFileSync('busybox', ['cpio', '-i', '-d', '-F', join(dir, 'x.cpio')], { cwd: dir });
      expect(readFileSync(join(dir, 'etc/a.txt'), 'utf8')).toBe('hello');
      expect(statSync(join(dir, 'init')).mode & 0o777).toBe(0o755);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
