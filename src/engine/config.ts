import { join } from 'node:path';
import { MICROVM_DEFAULTS, type Quota, parseMemory } from '../model/index.js';
import { DEFAULT_IMAGES_DIR } from '../runtimes/index.js';

/** Settings the engine runs with; read from the environment by `configFromEnv`. */
export interface EngineConfig {
  /** Holds the database and runtime files (`CYRANGE_STATE_DIR`). */
  readonly stateDir: string;
  /** Namespace where NAT uplinks end (`CYRANGE_NAT_UPLINK_NETNS`); null: NAT egress is refused. */
  readonly uplinkNetns: string | null;
  /** Pool the per-range /30 uplink subnets come from (`CYRANGE_UPLINK_POOL`). */
  readonly uplinkPool: string;
  /** How many hosts are set up at once (`CYRANGE_CONCURRENCY`). */
  readonly concurrency: number;
  /** Whether each range runs a metadata service on 169.254.169.254 (`CYRANGE_METADATA`, on by default). */
  readonly metadata: boolean;
  /** DNS servers given to guests whose network names none (`CYRANGE_DEFAULT_DNS`, comma-separated). */
  readonly defaultDns: readonly string[];
  /** Host bridge for `egress: bridge` networks that name none (`CYRANGE_HOST_BRIDGE`). */
  readonly hostBridge: string | null;
  /** Host bridges non-admins may name in `host_bridge` (`CYRANGE_HOST_BRIDGES`, comma-separated). */
  readonly hostBridges: readonly string[];
  /** What each instructor may hold over all their ranges (`CYRANGE_QUOTA_RANGES|HOSTS|MEMORY|CPUS`; `0` or `none`: unlimited). */
  readonly quota: Quota;
  /** Namespace that holds host bridges (`CYRANGE_HOST_BRIDGE_NETNS`); the root namespace when unset. */
  readonly hostBridgeNetns: string | null;
  /** The image catalog: rootfs images, kernels, initrds, disks (`CYRANGE_IMAGES`; default /var/lib/cyrange/images). */
  readonly imagesDir: string;
  /** Kernel and initramfs of microVM guests (`CYRANGE_MICROVM_ASSETS`; default /var/lib/cyrange/microvm). */
  readonly microvmAssets: string;
  /** `CYRANGE_MICROVM_ACCEL`: kvm or tcg instead of the probe's answer. */
  readonly microvmAccel: 'auto' | 'kvm' | 'tcg';
  /** `CYRANGE_MICROVM_BOOT_TIMEOUT_MS`: how long a guest may take to answer after launch. */
  readonly microvmBootTimeoutMs: number;
  /** `CYRANGE_QEMU_TB_MB`: TCG translation cache per guest. */
  readonly qemuTcgCacheMb: number;
}

/** A quota setting: unset → the default, `0`/`none` → unlimited, else parsed (a bad value keeps the default). */
function limitOf(raw: string | undefined, dflt: number, parse: (s: string) => number | null): number | null {
  if (raw === undefined || raw === '') return dflt;
  if (/^(0|none|unlimited)$/i.test(raw)) return null;
  const v = parse(raw);
  return v !== null && Number.isFinite(v) && v > 0 ? v : dflt;
}

/** Reads the engine's settings from environment variables, with defaults. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const stateDir = env.CYRANGE_STATE_DIR || '/var/lib/cyrange';
  return {
    stateDir,
    uplinkNetns: env.CYRANGE_NAT_UPLINK_NETNS || null,
    uplinkPool: env.CYRANGE_UPLINK_POOL || '100.64.0.0/16',
    concurrency: Math.max(1, Number(env.CYRANGE_CONCURRENCY) || 8),
    metadata: !/^(0|off|false|no)$/i.test(env.CYRANGE_METADATA ?? ''),
    defaultDns: (env.CYRANGE_DEFAULT_DNS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    hostBridge: env.CYRANGE_HOST_BRIDGE || null,
    hostBridges: (env.CYRANGE_HOST_BRIDGES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    hostBridgeNetns: env.CYRANGE_HOST_BRIDGE_NETNS || null,
    quota: {
      ranges: limitOf(env.CYRANGE_QUOTA_RANGES, 40, Number),
      hosts: limitOf(env.CYRANGE_QUOTA_HOSTS, 200, Number),
      memoryBytes: limitOf(env.CYRANGE_QUOTA_MEMORY, 16 * 2 ** 30, parseMemory),
      cpus: limitOf(env.CYRANGE_QUOTA_CPUS, 32, Number),
    },
    imagesDir: env.CYRANGE_IMAGES || DEFAULT_IMAGES_DIR,
    // Machine-wide like the catalog, so a fresh state directory still finds what the set-up built.
    microvmAssets: env.CYRANGE_MICROVM_ASSETS || MICROVM_DEFAULTS.assets,
    microvmAccel: env.CYRANGE_MICROVM_ACCEL === 'kvm' || env.CYRANGE_MICROVM_ACCEL === 'tcg' ? env.CYRANGE_MICROVM_ACCEL : 'auto',
    microvmBootTimeoutMs: Number(env.CYRANGE_MICROVM_BOOT_TIMEOUT_MS) || MICROVM_DEFAULTS.bootTimeoutMs,
    qemuTcgCacheMb: Number(env.CYRANGE_QEMU_TB_MB) || MICROVM_DEFAULTS.tcgCacheMb,
  };
}

/** Directory of one instance's pid files, logs and leases. */
export function runDirOf(cfg: EngineConfig, instance: string): string {
  return join(cfg.stateDir, 'run', instance);
}

/** Directory of one instance's per-host data that outlives a host stop: sandbox upper layers, disk overlays. */
export function dataDirOf(cfg: EngineConfig, instance: string): string {
  return join(cfg.stateDir, 'hosts', instance);
}
