/**
 * The OCI runtime spec (config.json) of one sandboxed host, as runc reads it. Pure: the caller
 * supplies paths, limits and the seccomp filter, and writes the result.
 */

/**
 * The capabilities Docker gives a container by default (moby's `oci/caps` defaults), plus
 * NET_ADMIN so a student can change addresses, routes and sysctls of their own namespace
 * (NET_RAW, for packet capture, is in Docker's set already).
 */
export const SANDBOX_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
  'CAP_NET_ADMIN',
] as const;

/** Processes a sandbox may hold at once, when the blueprint says nothing. */
export const DEFAULT_PIDS_LIMIT = 1024;

/** CFS period the CPU quota is expressed in, microseconds. */
const CPU_PERIOD_US = 100_000;

/** What one sandbox is made of. */
export interface SandboxSpec {
  readonly hostname: string;
  /** The command, run by the init (`args[0]` is the init). */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Root filesystem path, relative to the bundle or absolute. */
  readonly rootfs: string;
  /** The host's network namespace, which Cyrange wires. */
  readonly netnsPath: string;
  /** cgroup path (absolute, under the range's cgroup). */
  readonly cgroupsPath: string;
  readonly memoryBytes: number | null;
  readonly cpus: number | null;
  readonly pidsLimit: number;
  readonly sysctl: Readonly<Record<string, string>>;
  /** OCI `linux.seccomp`, or null for none. */
  readonly seccomp: unknown;
  /**
   * Entries of /proc/sys other than `net` (kernel, vm, fs, …): made read-only, because they are the
   * machine's, while `net` belongs to the host's own namespace and stays writable.
   */
  readonly procSysEntries: readonly string[];
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Builds the config.json runc runs one host from. */
export function sandboxConfig(s: SandboxSpec): Record<string, unknown> {
  const caps = [...SANDBOX_CAPS];
  const env = { PATH, HOME: '/root', TERM: 'xterm', HOSTNAME: s.hostname, ...s.env };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [...s.args],
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: true,
    },
    root: { path: s.rootfs, readonly: false },
    hostname: s.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755', 'size=65536k'] },
    ],
    linux: {
      namespaces: [
        { type: 'pid' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
        { type: 'cgroup' },
        { type: 'network', path: s.netnsPath },
      ],
      cgroupsPath: s.cgroupsPath,
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        pids: { limit: s.pidsLimit },
        ...(s.memoryBytes !== null ? { memory: { limit: s.memoryBytes, swap: s.memoryBytes } } : {}),
        ...(s.cpus !== null ? { cpu: { quota: Math.round(s.cpus * CPU_PERIOD_US), period: CPU_PERIOD_US } } : {}),
      },
      sysctl: { ...s.sysctl },
      ...(s.seccomp ? { seccomp: s.seccomp } : {}),
      // runc's own defaults (`runc spec`): kernel interfaces a container must not read or change.
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/proc/scsi',
        '/sys/firmware',
        '/sys/devices/virtual/powercap',
      ],
      readonlyPaths: [
        '/proc/bus',
        '/proc/fs',
        '/proc/irq',
        '/proc/sysrq-trigger',
        ...s.procSysEntries.filter((e) => e !== 'net').map((e) => `/proc/sys/${e}`),
      ],
    },
  };
}
