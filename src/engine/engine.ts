import { existsSync } from 'node:fs';
import {
  type Actor,
  CyrangeError,
  type NetworkMode,
  type RateLimit,
  type RawPolicy,
  type ResolvedHost,
  type ResolvedInterface,
  type ResolvedRange,
  admit,
  loadRawRange,
} from '../model/index.js';
import { admissionFor, admissionPolicy } from './admission.js';
import { type CaptureRequest, capture } from './capture.js';
import { type Snapshot, createSnapshot, listSnapshots, removeSnapshot, restoreSnapshot } from './snapshots.js';
import { type StreamedCommand, withSignal } from '../sys/index.js';
import type { ConsoleSession, ExecOptions } from '../runtimes/index.js';
import { type AccessRepo, type JobsRepo, type PoolRecord, type PoolsRepo, databasePath, databaseUrl, openStore } from '../store/index.js';
import {
  type CopyResult,
  type PoolDeps,
  type PoolProgress,
  type RosterEntry,
  createPool,
  destroyPool,
  getPool,
  resizePool,
} from './pools.js';
import type { EngineConfig } from './config.js';
import type { DeployResult, EngineContext } from './context.js';
import { deploy } from './deploy.js';
import { type DestroyResult, destroy } from './destroy.js';
import type { EventSink, StepResult } from './events.js';
import { type GcResult, gc } from './gc.js';
import { type ReconcileResult, reconcile, reconcileAll, reconcileCandidates } from './reconcile.js';
import { type RangeHealth, probeRanges, trackLiveStatus } from './status.js';
import { addHost, moveFromVsock, moveToVsock, removeHost } from './host-edit.js';
import { type ApplyOptions, type ApplyResult, applyRange } from './apply.js';
import { type HostAction, execInHost, findHost, hostAction, openConsole, resetHosts, vncSocket } from './host-ops.js';
import { type InspectResult, inspect } from './inspect.js';
import { addNic, removeNic } from './nics.js';
import { setRateLimit } from './rate-limits.js';
import { type NicStatsRow, stats } from './stats.js';
import { type CheckResult, checkReachability, setPolicies } from './policies.js';
import { hasDockerHosts, watchDocker } from './watch.js';
import type { EngineStore, RangeRecord } from './store-port.js';

/** The one entry point the CLI and the API drive: lifecycle operations over the store and the machine. */
export class Engine {
  private readonly ctx: EngineContext;
  /** Users, tokens, blueprints and assignments, for the API's access checks. */
  readonly access: AccessRepo | null;
  /** Pools of identical ranges. */
  readonly pools: PoolsRepo | null;

  constructor(
    store: EngineStore & { access?: AccessRepo; pools?: PoolsRepo },
    cfg: EngineConfig,
    opts: { onEvent?: EventSink; failAt?: string; signal?: AbortSignal } = {},
  ) {
    this.ctx = { store, cfg, emit: opts.onEvent ?? (() => {}), failAt: opts.failAt, signal: opts.signal };
    this.access = store.access ?? null;
    this.pools = store.pools ?? null;
  }

  /** The store `open` opened: this engine closes it. */
  private owned: { jobs: JobsRepo; close: () => Promise<void> } | null = null;

  /** An engine over the configured store (PostgreSQL from CYRANGE_DATABASE_URL, else SQLite in `cfg.stateDir`, made and migrated when missing); `close()` closes it. */
  static async open(cfg: EngineConfig, opts: { onEvent?: EventSink; failAt?: string; signal?: AbortSignal } = {}): Promise<Engine> {
    const store = await openStore({ stateDir: cfg.stateDir });
    const engine = new Engine(store, cfg, opts);
    engine.owned = { jobs: store.jobs, close: () => store.close() };
    return engine;
  }

  /** Whether the store exists yet (a database URL always names one), so a read-only command need not make one. */
  static storeExists(cfg: EngineConfig): boolean {
    return databaseUrl({ stateDir: cfg.stateDir }) !== null || existsSync(databasePath({ stateDir: cfg.stateDir }));
  }

  /** Stored jobs and their events, for a job runner, when `open` made this engine. */
  get jobs(): JobsRepo | null {
    return this.owned?.jobs ?? null;
  }

  /** Closes the store `open` opened (again: nothing); an engine given its store leaves it open. */
  async close(): Promise<void> {
    const owned = this.owned;
    this.owned = null;
    await owned?.close();
  }

  /**
   * This engine with its operations also cancelled by `signal` (an API request's): the same store
   * and settings; every command they run is killed when either signal aborts.
   */
  withSignal(signal: AbortSignal): Engine {
    const view = Object.create(this) as Engine;
    const both = this.ctx.signal ? AbortSignal.any([this.ctx.signal, signal]) : signal;
    (view as unknown as { ctx: EngineContext }).ctx = { ...this.ctx, signal: both };
    return view;
  }

  /** Runs one operation under this engine's signal, so every command it runs stops when it aborts. */
  private op<T>(fn: () => T): T {
    return withSignal(this.ctx.signal, fn);
  }

  private poolDeps(onProgress?: (p: PoolProgress) => void): PoolDeps {
    if (!this.pools) throw new CyrangeError('CYR_INTERNAL', 'this store keeps no pools');
    return { pools: this.pools, access: this.access, ...(onProgress ? { onProgress } : {}) };
  }

  /** Deploys a pool: `size` copies of a blueprint (source text, passwords hashed), one per roster student. */
  createPool(
    input: {
      name: string;
      source: string;
      size: number;
      owner: string | null;
      actor: Actor;
      roster?: readonly RosterEntry[];
      studentReset?: boolean;
    },
    onProgress?: (p: PoolProgress) => void,
  ): Promise<{ pool: PoolRecord; copies: CopyResult[] }> {
    return this.op(() => createPool(this.ctx, this.poolDeps(onProgress), { ...input, raw: loadRawRange(input.source) }));
  }

  /** Every pool. */
  listPools(): Promise<PoolRecord[]> {
    return this.poolDeps().pools.list();
  }

  /** One pool with its copies. */
  getPool(name: string): Promise<PoolRecord> {
    return getPool(this.poolDeps(), name);
  }

  /** The pool an instance is a copy of, or null. */
  async poolOf(instance: string): Promise<PoolRecord | null> {
    return (await this.pools?.poolOf(instance)) ?? null;
  }

  /** Grows or shrinks a pool to `size` copies. */
  async resizePool(name: string, size: number, actor: Actor, onProgress?: (p: PoolProgress) => void) {
    const deps = this.poolDeps(onProgress);
    return this.op(async () => resizePool(this.ctx, deps, name, size, loadRawRange((await getPool(deps, name)).source), actor));
  }

  /** Destroys every copy of a pool and forgets it. */
  destroyPool(name: string): Promise<string[]> {
    return this.op(() => destroyPool(this.ctx, this.poolDeps(), name));
  }

  /** The engine's settings. */
  get config(): EngineConfig {
    return this.ctx.cfg;
  }

  /** A stored instance, or null. */
  async get(instance: string): Promise<RangeRecord | null> {
    return this.ctx.store.getRange(instance);
  }

  /** A host of a stored instance with its range; CYR_NOT_FOUND naming the hosts there are when it has none. */
  async getHost(instance: string, host: string): Promise<{ host: ResolvedHost; range: ResolvedRange }> {
    const found = await findHost(this.ctx, instance, host);
    return { host: found.host, range: found.range };
  }

  /** A unix socket that reaches the host's VNC server (relayed inside the range). */
  vncSocket(instance: string, host: string): Promise<string> {
    return this.op(() => vncSocket(this.ctx, instance, host));
  }

  /** Opens an interactive terminal in a host. */
  console(instance: string, host: string, size: { cols: number; rows: number }): Promise<ConsoleSession> {
    return this.op(() => openConsole(this.ctx, instance, host, size));
  }

  /**
   * Refuses (ValidationError) what `actor` may not put in a blueprint on this machine, quotas
   * aside (they count deployed ranges): for storing and validating blueprints.
   */
  admit(range: ResolvedRange, actor: Actor, source?: string): void {
    admit(range, actor, { ...admissionPolicy(this.ctx.cfg), quota: undefined }, source);
  }

  /** The full admission of a deploy (quotas included, counted from the store now); throws a ValidationError. */
  async admitDeploy(range: ResolvedRange, actor: Actor): Promise<void> {
    (await admissionFor(this.ctx.cfg, this.ctx.store, actor, range.instance))(range);
  }

  /** Deploys (or repairs) an instance of a resolved range, after admission (quotas included) for `actor`. */
  async deploy(range: ResolvedRange, source: string, owner: string | null, actor: Actor): Promise<DeployResult> {
    (await admissionFor(this.ctx.cfg, this.ctx.store, actor, range.instance))(range);
    return this.op(() => deploy(this.ctx, range, source, owner));
  }

  /**
   * Deploys a blueprint onto an instance, after admission for `actor`: a new instance is built, a
   * changed one gets exactly the diff from what is deployed (resolve `range` with the stored range as
   * `pin`), applied in place; `replace` allows what cannot change in place (a host's runtime: that
   * host is recreated; a network: the range is rebuilt).
   */
  async apply(range: ResolvedRange, source: string, actor: Actor, opts: ApplyOptions = {}): Promise<ApplyResult> {
    (await admissionFor(this.ctx.cfg, this.ctx.store, actor, range.instance))(range);
    return this.op(() => applyRange(this.ctx, range, source, opts));
  }

  /** Removes an instance and everything it owns. */
  destroy(instance: string): Promise<DestroyResult> {
    return this.op(() => destroy(this.ctx, instance));
  }

  /** Stored instances. */
  async list(): Promise<readonly RangeRecord[]> {
    return this.ctx.store.listRanges();
  }

  /** An instance with the live state of its hosts. */
  inspect(instance: string): Promise<InspectResult> {
    return this.op(() => inspect(this.ctx, instance));
  }

  /** Runs a command in a host and resolves with its exit code. */
  exec(instance: string, host: string, argv: readonly string[], opts?: ExecOptions): Promise<number> {
    return this.op(() => execInHost(this.ctx, instance, host, argv, opts));
  }

  /** Puts one host, or every host, back to its deployed state (same NICs, addresses, MACs, policies, limits). */
  reset(instance: string, host?: string): Promise<readonly StepResult[]> {
    return this.op(() => resetHosts(this.ctx, instance, host));
  }

  /** Saves a consistent snapshot of a running range (all hosts frozen while it is taken). */
  createSnapshot(instance: string, name: string): Promise<Snapshot> {
    return this.op(() => createSnapshot(this.ctx, instance, name));
  }

  /** The snapshots of a range. */
  listSnapshots(instance: string): Promise<Snapshot[]> {
    return this.op(() => listSnapshots(this.ctx, instance));
  }

  /** Puts a range's hosts back to a snapshot. */
  restoreSnapshot(instance: string, name: string): Promise<Snapshot> {
    return this.op(() => restoreSnapshot(this.ctx, instance, name));
  }

  /** Removes a snapshot. */
  removeSnapshot(instance: string, name: string): Promise<void> {
    return this.op(() => removeSnapshot(this.ctx, instance, name));
  }

  /** Streams pcap from a network's bridge, or from one host's NIC on it. */
  capture(req: CaptureRequest): Promise<StreamedCommand> {
    return this.op(() => capture(this.ctx, req));
  }

  /** Starts, stops or restarts one host. */
  host(instance: string, host: string, action: HostAction) {
    return this.op(() => hostAction(this.ctx, instance, host, action));
  }

  /** Adds a NIC to a deployed host (store and kernel together). */
  addNic(instance: string, host: string, network: string, ip?: string | null): Promise<ResolvedInterface> {
    return this.op(() => addNic(this.ctx, instance, host, network, ip));
  }

  /** Removes a non-primary NIC from a deployed host. */
  removeNic(instance: string, host: string, network: string): Promise<ResolvedInterface> {
    return this.op(() => removeNic(this.ctx, instance, host, network));
  }

  /** Sets (null: clears) the rate limit of one NIC of a host, stored and applied without a redeploy. */
  setRateLimit(instance: string, host: string, network: string, limit: RateLimit | null): Promise<ResolvedInterface> {
    return this.op(() => setRateLimit(this.ctx, instance, host, network, limit));
  }

  /** Per-NIC rx/tx counters of an instance from each host's point of view, with totals that survive resets. */
  stats(instance: string): Promise<NicStatsRow[]> {
    return this.op(() => stats(this.ctx, instance));
  }

  /** Re-wires docker hosts that restart, until `signal` aborts or no docker host is left. */
  watchDocker(signal: AbortSignal): Promise<void> {
    return this.op(() => watchDocker(this.ctx, signal));
  }

  /** Whether any running range has docker hosts. */
  hasDockerHosts(): Promise<boolean> {
    return this.op(() => hasDockerHosts(this.ctx));
  }

  /** Adds a host (raw input, blueprint rules, admission for `actor`) to an instance, building it when the range runs. */
  async addHost(instance: string, input: unknown, actor: Actor): Promise<ResolvedHost> {
    const admit = await admissionFor(this.ctx.cfg, this.ctx.store, actor, instance);
    return this.op(() => addHost(this.ctx, instance, input, admit));
  }

  /** Moves a host to vsock mode: no NICs, leases released, host-local channel only. */
  moveToVsock(instance: string, name: string): Promise<ResolvedHost> {
    return this.op(() => moveToVsock(this.ctx, instance, name));
  }

  /** The reverse of `moveToVsock`: NICs on `interfaces` (first is primary) in bridged or dhcp mode, addresses allocated again. */
  moveFromVsock(
    instance: string,
    name: string,
    mode: Exclude<NetworkMode, 'vsock'>,
    interfaces: ReadonlyArray<{ readonly network: string; readonly ip?: string | null }>,
  ): Promise<ResolvedHost> {
    return this.op(() => moveFromVsock(this.ctx, instance, name, mode, interfaces));
  }

  /** Removes a host and its objects from an instance. */
  removeHost(instance: string, name: string): Promise<ResolvedHost> {
    return this.op(() => removeHost(this.ctx, instance, name));
  }

  /** Replaces an instance's traffic policies on the running range. */
  setPolicies(instance: string, raw: readonly RawPolicy[]): Promise<ResolvedRange> {
    return this.op(() => setPolicies(this.ctx, instance, raw));
  }

  /** Measures the reachability matrix and what the policies expect. */
  check(instance: string, ports: readonly number[]): Promise<CheckResult[]> {
    return this.op(() => checkReachability(this.ctx, instance, ports));
  }

  /** Removes leftovers of instances that are gone or crashed. */
  gc(): Promise<GcResult> {
    return this.op(() => gc(this.ctx));
  }

  /** The live state of stored instances (all when `instances` is left out), from the cheap probe. */
  async liveStatus(instances?: readonly string[]): Promise<RangeHealth[]> {
    const all = await this.ctx.store.listRanges();
    return this.op(() => probeRanges(this.ctx, instances ? all.filter((r) => instances.includes(r.instance)) : all));
  }

  /** Brings an instance back to its stored range (`force`: even when the probe finds nothing wrong, or its last operation failed). */
  reconcile(instance: string, opts: { force?: boolean } = {}): Promise<ReconcileResult> {
    return this.op(() => reconcile(this.ctx, instance, opts));
  }

  /** Reconciles every stored instance that needs it; with nothing to do, changes nothing. */
  reconcileAll(opts: { limit?: number } = {}): Promise<ReconcileResult[]> {
    return this.op(() => reconcileAll(this.ctx, opts));
  }

  /** Instances recorded as running that are not live, or left mid-operation by a dead process. */
  reconcileCandidates(): Promise<RangeHealth[]> {
    return this.op(() => reconcileCandidates(this.ctx));
  }

  /** Keeps the statuses the API's views read (`liveStatusOf`) fresh through this engine; returns a stop function. */
  trackLiveStatus(): () => void {
    return this.op(() => trackLiveStatus(this.ctx));
  }
}
