import { fileURLToPath } from 'node:url';
import { type EngineConfig, ensureWatcher } from '../engine/index.js';

/** Starts the background docker watcher (`cyrange watch`) when a docker host needs it. */
export function startWatcherIfNeeded(cfg: EngineConfig, needed: boolean): void {
  if (!needed) return;
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  ensureWatcher(cfg, [process.execPath, '--enable-source-maps', main, 'watch']);
}
