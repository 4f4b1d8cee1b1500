import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { run } from '../sys/index.js';

/**
 * Copies a directory tree or a file with owners, modes, links, xattrs and overlayfs whiteouts
 * intact (`cp -a`), sharing blocks where the filesystem can (reflinks). `to` must not exist yet.
 */
export async function copyTree(from: string, to: string): Promise<void> {
  mkdirSync(dirname(to), { recursive: true });
  await run(['cp', '-a', '--reflink=auto', '--', from, to], { timeoutMs: 10 * 60_000 });
}
