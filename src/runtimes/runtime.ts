import type { ResolvedHost, ResolvedRange, RuntimeName } from '../model/index.js';
import type { NicAttachment } from './nics/attachment.js';

/** What a runtime needs to know about the range a host belongs to. */
export interface RangeContext {
  readonly instance: string;
  /** Directory for this instance's pid files and logs. */
  readonly runDir: string;
  /**
   * Directory of per-host data that survives stop/start and is removed by destroy: `<dataDir>/<host>/`
   * holds a sandbox's upper layer or a VM's disk overlay (what a reset discards).
   */
  readonly dataDir: string;
  /** The image catalog directory (rootfs images, kernels, initrds, disks). */
  readonly images: string;
  /** Receives progress lines of long steps (image pulls). */
  readonly onProgress?: ((host: string, line: string) => void) | undefined;
  /** The range's plan, when the caller has it (guests take their resolvers from it). */
  readonly range?: ResolvedRange | undefined;
  /** Settings of microVM hosts. */
  readonly microvm?: MicrovmSettings | undefined;
}

/** How microVMs are run on this machine (from the engine's configuration). */
export interface MicrovmSettings {
  /** Directory of the guest kernel and initramfs. */
  readonly assets: string;
  /** `auto` probes KVM once per machine boot. */
  readonly accel: 'auto' | 'kvm' | 'tcg';
  /** How long a guest may take from launch until its init answers. */
  readonly bootTimeoutMs: number;
  /** TCG translation cache per guest, MiB. */
  readonly tcgCacheMb: number;
}

/** State of one host as its runtime sees it. */
export type HostState = 'running' | 'stopped' | 'missing';

/** Standard streams for `exec`: inherited from the caller, or piped back. */
export interface ExecOptions {
  readonly tty?: boolean;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

/** An interactive terminal in a host, for web consoles. */
export interface ConsoleSession {
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  onData(cb: (data: string | Buffer) => void): void;
  onExit(cb: (code: number) => void): void;
  close(): void;
}

/**
 * Starts and stops hosts of one kind. A runtime owns the host's process (or container, or VM)
 * and gives the data plane a named network namespace to wire; it never touches range networking.
 */
export interface Runtime {
  readonly name: RuntimeName;
  /** How its hosts join range networks: veth pairs into the namespace `boot` makes, or TAPs their VM opens. */
  readonly nics: NicAttachment;
  /** Facts about how the host runs (e.g. a VM's launcher, accelerator and control channel), for inspect. */
  describe?(ctx: RangeContext, host: ResolvedHost): Promise<Readonly<Record<string, string>> | null>;
  /** Creates the hosts, not yet running their workload. */
  create(ctx: RangeContext, hosts: readonly ResolvedHost[]): Promise<void>;
  /**
   * Makes the host's network namespace exist under the name `hostNetns(instance, host)`, without
   * running its workload yet. `fresh` says the namespace is new (a started or restarted container),
   * so its NICs must be wired again.
   */
  boot(ctx: RangeContext, host: ResolvedHost): Promise<{ fresh: boolean }>;
  /** Runs the workload of a booted, wired host. Starting a running host changes nothing. */
  start(ctx: RangeContext, host: ResolvedHost): Promise<void>;
  /** Stops a host but keeps it and its NICs. Stopping a stopped host changes nothing. */
  stop(ctx: RangeContext, host: ResolvedHost): Promise<void>;
  /** Reads the host's state. */
  state(ctx: RangeContext, host: ResolvedHost): Promise<HostState>;
  /** Runs a command in the host; resolves with its exit code. */
  exec(ctx: RangeContext, host: ResolvedHost, argv: readonly string[], opts?: ExecOptions): Promise<number>;
  /** Opens an interactive shell with a terminal in the host. */
  console(ctx: RangeContext, host: ResolvedHost, size: { cols: number; rows: number }): Promise<ConsoleSession>;
  /**
   * Throws away what a stopped host wrote since it was deployed (a sandbox's upper layer, a
   * container's filesystem, a VM's disk overlay), so its next start begins from its image.
   */
  discard(ctx: RangeContext, host: ResolvedHost): Promise<void>;
  /** Pauses (true) or resumes (false) a running host as a whole, so a snapshot of it is consistent. */
  freeze(ctx: RangeContext, host: ResolvedHost, frozen: boolean): Promise<void>;
  /** Copies what a frozen or stopped host wrote since it was deployed into the new directory `dir`. */
  saveWrites(ctx: RangeContext, host: ResolvedHost, dir: string): Promise<void>;
  /** Replaces a stopped host's writes with the ones `saveWrites` put in `dir`. */
  restoreWrites(ctx: RangeContext, host: ResolvedHost, dir: string): Promise<void>;
  /** Releases what `saveWrites` kept outside `dir` (a committed image); the caller removes `dir`. */
  forgetWrites(ctx: RangeContext, host: ResolvedHost, dir: string): Promise<void>;
  /** Removes hosts entirely; missing ones count as removed. */
  destroy(ctx: RangeContext, hosts: readonly ResolvedHost[]): Promise<void>;
  /** Instances that own objects of this runtime, found by ownership tags alone (for gc). */
  owners(): Promise<string[]>;
  /** Removes every object of this runtime tagged with `instance`, without the stored spec. */
  purge(instance: string): Promise<void>;
}
