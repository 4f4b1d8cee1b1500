import type { ResolvedInterface, ResolvedRange } from '../model/index.js';

/** Lifecycle states of a stored range instance. */
export type RangeStatus = 'planned' | 'deploying' | 'running' | 'failed' | 'destroying';

/** A stored range instance, as the engine reads it. */
export interface RangeRecord {
  readonly id: number;
  readonly instance: string;
  readonly status: RangeStatus;
  readonly resolved: ResolvedRange;
  readonly source: string;
  readonly kind: 'range' | 'standalone';
  /** Name of the user who deployed it, when deployed through the API. */
  readonly owner?: string | null;
}

type MaybePromise<T> = T | Promise<T>;

/** The part of the store the engine uses: narrow on purpose, so fakes and the real store both fit. */
export interface EngineStore {
  getRange(instance: string): MaybePromise<RangeRecord | null>;
  listRanges(): MaybePromise<readonly RangeRecord[]>;
  createRange(input: {
    resolved: ResolvedRange;
    source: string;
    kind: 'range' | 'standalone';
    status: RangeStatus;
    owner?: string | null;
  }): MaybePromise<RangeRecord>;
  setRangeStatus(instance: string, status: RangeStatus): MaybePromise<void>;
  /** Replaces the blueprint text an instance was deployed from, after an apply of a changed one. */
  setRangeSource(instance: string, source: string): MaybePromise<void>;
  deleteRange(instance: string): MaybePromise<void>;
  allocateUplinkSlot(rangeId: number): MaybePromise<number>;
  addInterface(instance: string, host: string, network: string, ip?: string | null): MaybePromise<ResolvedInterface>;
  removeInterface(instance: string, host: string, network: string): MaybePromise<ResolvedInterface>;
  /** The one write path of a stored range: a pure edit of the latest range, checked and stored with its rows in one transaction. */
  updateRange<T>(instance: string, change: (r: ResolvedRange) => { range: ResolvedRange; result: T }): MaybePromise<T>;
}
