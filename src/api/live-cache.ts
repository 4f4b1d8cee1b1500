import type { Engine, InspectResult } from '../engine/index.js';

interface Entry {
  at: number;
  value: Promise<InspectResult>;
  refreshing: boolean;
}

/**
 * Live host state read from the kernel, shared between requests: reading it runs a command per
 * host, and many clients polling one range must not each pay for that. A stale answer is served
 * at once while one fresh read runs in the background; only the very first read waits.
 */
export class LiveCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly engine: Engine,
    private readonly ttlMs = 2000,
  ) {}

  /** The range's live state, refreshed in the background once older than `ttlMs`. */
  get(instance: string): Promise<InspectResult> {
    const hit = this.entries.get(instance);
    if (!hit) return this.read(instance).value;
    if (performance.now() - hit.at >= this.ttlMs && !hit.refreshing) {
      hit.refreshing = true;
      const next = this.engine.inspect(instance);
      next.then(
        () => this.entries.set(instance, { at: performance.now(), value: next, refreshing: false }),
        () => this.entries.delete(instance),
      );
    }
    return hit.value;
  }

  private read(instance: string): Entry {
    const e: Entry = { at: performance.now(), value: this.engine.inspect(instance), refreshing: false };
    this.entries.set(instance, e);
    e.value.catch(() => this.entries.delete(instance));
    return e;
  }

  /** Forgets a range's state after a change made through the API. */
  invalidate(instance: string): void {
    this.entries.delete(instance);
  }
}
