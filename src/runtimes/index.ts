/** Host runtimes: each starts and stops hosts and hands the data plane a namespace to wire. */
export type { Runtime, RangeContext, HostState, ExecOptions, ConsoleSession, MicrovmSettings } from './runtime.js';
export { netnsRuntime } from './netns.js';
export { getRuntime, registerRuntime, allRuntimes } from './registry.js';
export { dockerRuntime, watchContainerStarts } from './docker.js';
export { MICROVM_LAUNCHERS, microvmRuntime } from './microvm/runtime.js';
export { buildMicrovmAssets, guestFilesDigest } from './microvm/image-build.js';
export { readManifest, sha256Of, type AssetManifest } from './microvm/assets.js';
export {
  type CatalogImage,
  type ImageKind,
  DEFAULT_IMAGES_DIR,
  listImages,
  findImage,
  resolveImageRef,
} from './images/catalog.js';
export { ensureRangeCgroup, removeRangeCgroup, rangeCgroup, joinHostCgroup, cgroupOwners } from './cgroups.js';
export { mountsUnder } from './sandbox/overlay.js';
export { IMAGE_KINDS, IMAGE_MANIFEST, imageEntryDir, isImageKind, writeImageEntry } from './images/catalog.js';
export { sha256File, sha256Packages, sha256Tree } from './images/digest.js';
export { DEFAULT_ROOTFS_PACKAGES, buildRootfs, rootfsPackageList } from './images/rootfs-build.js';
export { type OciSeccomp, type SeccompProfile, loadSeccompProfile, ociSeccompFromProfile } from './sandbox/seccomp.js';
export { type SeccompManifest, buildSeccompProfile, intactSeccompProfile, seccompProfilePath } from './sandbox/seccomp-build.js';
export { LABEL_HOST, LABEL_RANGE, dockerClient } from './docker-client.js';
export { DISK_FORMATS, DISK_SIZE, type DiskFormat, buildCloudDisk, diskSizeBytes, intactDisk } from './images/disk-build.js';
export type { HostWithState, NicAttachment } from './nics/attachment.js';
export { vethNics } from './nics/veth.js';
export { type GuestNics, tapNics } from './nics/tap.js';
