import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AssetManifest, buildMicrovmAssets, guestFilesDigest, readManifest, sha256Of } from '../runtimes/index.js';
import type { EngineConfig } from './config.js';

/** Whether `dir` holds a built guest whose files still match their recorded checksums and this checkout's guest init. */
export function intactBuild(dir: string): AssetManifest | null {
  const m = readManifest(dir);
  if (!m || m.guestFiles !== guestFilesDigest()) return null;
  for (const f of [m.kernel, m.initrd]) {
    const p = join(dir, f.file);
    if (!existsSync(p) || sha256Of(p) !== f.sha256) return null;
  }
  return m;
}

/**
 * Builds the microVM guest kernel and initramfs into the configured assets directory (or `outDir`).
 * With `ifMissing`, an intact earlier build is kept; one made from other guest files is rebuilt.
 */
export async function buildMicrovmImage(
  cfg: EngineConfig,
  opts: { outDir?: string; ifMissing?: boolean; log?: (line: string) => void } = {},
): Promise<{ dir: string; manifest: AssetManifest; built: boolean }> {
  const dir = opts.outDir ?? cfg.microvmAssets;
  const kept = opts.ifMissing ? intactBuild(dir) : null;
  if (kept) return { dir, manifest: kept, built: false };
  return { dir, manifest: await buildMicrovmAssets(dir, opts.log), built: true };
}
