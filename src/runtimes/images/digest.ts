import { createHash } from 'node:crypto';
import { createReadStream, readdirSync } from 'node:fs';

/** SHA-256 (hex) of a file, streamed: disk images do not fit in memory. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** SHA-256 (hex) of a directory's sorted file list (relative paths, one a line); contents are not read. */
export function sha256Tree(dir: string): string {
  const names = (readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).sort();
  return createHash('sha256')
    .update(names.map((n) => `${n}\n`).join(''))
    .digest('hex');
}

/** SHA-256 (hex) of a package set: `name version` lines sorted by name, so equal sets hash equal. */
export function sha256Packages(packages: Readonly<Record<string, string>>): string {
  const lines = Object.keys(packages)
    .sort()
    .map((n) => `${n} ${packages[n]}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}
