import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../sys/index.js';
import { CyrangeError } from '../../model/index.js';

/** Downloads one Debian package's .deb into `dir` (no install, no dependencies); returns its path. */
export async function downloadDeb(dir: string, pkg: string): Promise<string> {
  const get = () => run(['apt-get', 'download', '-o', 'APT::Sandbox::User=root', pkg], { allowFailure: true, cwd: dir });
  let r = await get();
  if (r.code !== 0) {
    // A machine whose package lists were never fetched knows no download address yet.
    await run(['apt-get', 'update', '-qq'], { allowFailure: true, timeoutMs: 300_000 });
    r = await get();
  }
  if (r.code !== 0)
    throw new CyrangeError('CYR_UNAVAILABLE', `could not download Debian package ${pkg}: ${r.stderr.trim()}`, {
      hint: 'Cyrange builds its images from Debian packages; check apt sources and network',
    });
  const deb = readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
  if (!deb) throw new CyrangeError('CYR_RUNTIME', `apt-get download ${pkg} left no .deb`);
  return join(dir, deb);
}

/** One control field of a .deb (`Version`, `Depends`). */
export async function debField(deb: string, field: string): Promise<string> {
  return (await run(['dpkg-deb', '-f', deb, field])).stdout.trim();
}

/** Unpacks a .deb's files into `dir`. */
export async function unpackDeb(deb: string, dir: string): Promise<void> {
  await run(['dpkg-deb', '-x', deb, dir], { timeoutMs: 300_000 });
}
