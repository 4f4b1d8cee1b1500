import { type Actor, type AdmissionPolicy, type ResolvedRange, admit } from '../model/index.js';
import { MICROVM_LAUNCHERS } from '../runtimes/index.js';
import type { EngineConfig } from './config.js';

/** What this machine's configuration allows non-admins, and which launchers it runs. */
export function admissionPolicy(cfg: EngineConfig): AdmissionPolicy {
  return { hostBridges: cfg.hostBridges, launchers: MICROVM_LAUNCHERS };
}

/** Refuses (ValidationError, every problem at its field) what `actor` may not deploy on this machine. */
export function admitRange(cfg: EngineConfig, range: ResolvedRange, actor: Actor, source?: string): void {
  admit(range, actor, admissionPolicy(cfg), source);
}
