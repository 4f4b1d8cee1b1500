import { type EngineConfig, cliEntry, ensureWatcher } from '../engine/index.js';

/** Starts the background docker watcher (`cyrange watch`) when a docker host needs it. */
export function startWatcherIfNeeded(cfg: EngineConfig, needed: boolean): void {
  if (!needed) return;
  // The entry this CLI runs from (the bundle or the tsc build): the watcher is the same program.
  ensureWatcher(cfg, [process.execPath, cliEntry(), 'watch']);
}
