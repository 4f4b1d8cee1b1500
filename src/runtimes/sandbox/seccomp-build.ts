import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CyrangeError } from '../../model/index.js';
import { debField, downloadDeb, unpackDeb } from '../images/apt.js';
import { sha256File } from '../images/digest.js';

/** The Debian package that carries moby's (Docker's) default seccomp profile, and where in it. */
const PACKAGE = 'golang-github-docker-docker-dev';
const PROFILE_IN_PACKAGE = 'usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json';

/** What the catalog records of the profile: where it came from and its checksum. */
export interface SeccompManifest {
  readonly package: string;
  readonly version: string;
  readonly sha256: string;
  readonly builtAt: string;
}

function dirOf(imagesDir: string): string {
  return join(imagesDir, 'seccomp', 'docker-default');
}

/** The profile sandboxes are filtered with: Docker's default, as `image build-rootfs` put it in the catalog. */
export function seccompProfilePath(imagesDir: string): string {
  return join(dirOf(imagesDir), 'profile.json');
}

/** The recorded manifest, when the profile is there and still matches its checksum. */
export async function intactSeccompProfile(imagesDir: string): Promise<SeccompManifest | null> {
  try {
    const m = JSON.parse(readFileSync(join(dirOf(imagesDir), 'manifest.json'), 'utf8')) as SeccompManifest;
    return (await sha256File(seccompProfilePath(imagesDir))) === m.sha256 ? m : null;
  } catch {
    return null;
  }
}

/**
 * Fetches Docker's default seccomp profile from Debian's moby source package (downloaded and
 * unpacked, never installed) into the catalog, recorded with the package version and checksum.
 */
export async function buildSeccompProfile(imagesDir: string): Promise<SeccompManifest> {
  const work = mkdtempSync(join(imagesDir, '.seccomp-'));
  try {
    const deb = await downloadDeb(work, PACKAGE);
    await unpackDeb(deb, join(work, 'x'));
    const src = join(work, 'x', PROFILE_IN_PACKAGE);
    if (!existsSync(src)) throw new CyrangeError('CYR_RUNTIME', `${PACKAGE} has no ${PROFILE_IN_PACKAGE}`);
    JSON.parse(readFileSync(src, 'utf8'));
    const dir = dirOf(imagesDir);
    mkdirSync(dir, { recursive: true });
    const manifest: SeccompManifest = {
      package: PACKAGE,
      version: await debField(deb, 'Version'),
      sha256: await sha256File(src),
      builtAt: new Date().toISOString(),
    };
    renameSync(src, seccompProfilePath(imagesDir));
    writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
