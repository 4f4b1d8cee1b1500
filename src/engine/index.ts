/** Orders the work: deploy, repair, destroy, gc, inspect and host actions, with progress events. */
export { Engine } from './engine.js';
export { type EngineConfig, configFromEnv, runDirOf } from './config.js';
export { admissionPolicy } from './admission.js';
export type { EngineEvent, EventSink, StepEvent, StepResult, StepStatus } from './events.js';
export type { DeployResult } from './context.js';
export type { ApplyOptions, ApplyResult } from './apply.js';
export type { DestroyResult } from './destroy.js';
export type { GcResult } from './gc.js';
export type { InspectResult, InspectedHost, InspectedNic } from './inspect.js';
export type { HostAction } from './host-ops.js';
export type { EngineStore, RangeRecord, RangeStatus } from './store-port.js';
export { mapLimit } from './limit.js';
export { ensureWatcher } from './watch.js';
export type { CheckResult } from './policies.js';
export { planBridgeSetup, setupHostBridge, removeHostBridge, hostBridgeNetplan } from './host-bridge.js';
export type { NicStatsRow } from './stats.js';
export { CounterTotals } from './counter-totals.js';
export { buildMicrovmImage } from './microvm-image.js';
export { addImage, buildRootfsImage, listAllImages, registerMicrovmImages, DEFAULT_ROOTFS_IMAGE } from './images.js';
export { buildDiskImage, DEFAULT_DISK_IMAGE } from './images.js';
export { hashBlueprintPasswords } from './passwords.js';
// Users, API tokens (stored hashed), blueprints, pools and jobs as the shells see them: they import only the engine.
export {
  type AccessRepo,
  type BlueprintRecord,
  type JobRecord,
  type JobsRepo,
  type PoolRecord,
  ROLES,
  TOKEN_SCOPES,
  type Role,
  type TokenRecord,
  type TokenScope,
  type User,
  bootstrapAdmin,
  checkPassword,
  createUserWithToken,
  hashToken,
  issueToken,
} from '../store/index.js';
// Structured logs (pino; CYRANGE_LOG sets the level) for the shells.
export { type LogBindings, atLeastInfo, log, loggingEnabled, withLogContext } from '../sys/index.js';
export { cliEntry, projectRoot } from '../sys/index.js';
export type { Snapshot } from './snapshots.js';
export type { CaptureRequest } from './capture.js';
export { type CopyResult, type PoolProgress, type RosterEntry, copyName } from './pools.js';
export {
  type HostProbe,
  type LiveStatus,
  type RangeHealth,
  currentProcess,
  describeStatus,
  forgetLiveStatus,
  liveStatusOf,
  processAlive,
} from './status.js';
export type { ReconcileAction, ReconcileResult } from './reconcile.js';
