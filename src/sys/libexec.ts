import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/**
 * The checkout's (or installed package's) root: the nearest folder above this module holding
 * Cyrange's package.json. Found by walking up, since the tsc build (dist/sys/) and the CLI bundle
 * (dist/bundle/) sit at different depths.
 */
export function projectRoot(): string {
  if (root) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; ) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cyrange') {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no Cyrange package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Absolute path of a helper script shipped in the repository's `libexec/`. */
export function libexecPath(name: string): string {
  return join(projectRoot(), 'libexec', name);
}

/**
 * The CLI's entry script, as bin/cyrange picks it: the bundle when it was built, else the tsc
 * build. For processes Cyrange starts of itself (the docker watcher, the service unit).
 */
export function cliEntry(): string {
  const bundle = join(projectRoot(), 'dist', 'bundle', 'main.js');
  return existsSync(bundle) ? bundle : join(projectRoot(), 'dist', 'cli', 'main.js');
}
