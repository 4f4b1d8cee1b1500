/** Host runtimes: each starts and stops hosts and hands the data plane a namespace to wire. */
export type { Runtime, RangeContext, HostState, ExecOptions, ConsoleSession, MicrovmSettings } from './runtime.js';
export { netnsRuntime } from './netns.js';
export { getRuntime, registerRuntime, allRuntimes } from './registry.js';
export { dockerRuntime, watchContainerStarts } from './docker.js';
export { microvmRuntime } from './microvm/runtime.js';
export { buildMicrovmAssets } from './microvm/image-build.js';
export { readManifest, sha256Of, type AssetManifest } from './microvm/assets.js';
export {
  type CatalogImage,
  type ImageKind,
  DEFAULT_IMAGES_DIR,
  listImages,
  findImage,
  resolveImageRef,
} from './images/catalog.js';
