import { type Argv, inNetns, run, toBatch } from '../sys/index.js';

/** Runs an `ip -batch` inside a named namespace. */
export async function ipBatchIn(netns: string, lines: readonly Argv[]): Promise<void> {
  if (lines.length === 0) return;
  await run(['ip', '-n', netns, '-batch', '-'], { input: toBatch(lines) });
}

/**
 * Sets sysctls inside a named namespace, where `/proc/sys/net` belongs to that namespace.
 * Keys of modules that are not loaded (`net.bridge.*` without br_netfilter) are skipped.
 */
export async function sysctlIn(netns: string, settings: Readonly<Record<string, string | number>>): Promise<void> {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  await run(inNetns(netns, ['sysctl', '-q', '-e', '-w', ...args]));
}
