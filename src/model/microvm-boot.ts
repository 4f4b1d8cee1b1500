/**
 * What a microVM guest is told at boot: the kernel command line (with the `ip=` arguments and the
 * MAC of each NIC name) and the guest config file its init sources. Pure: no I/O.
 */
import { renderIpArg } from './guest-config.js';
import type { ResolvedHost, ResolvedRange } from './types.js';

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The guest kernel's command line: serial console, `ip=` per NIC (parsed by Cyrange's guest init,
 * as the kernel has no IP autoconfig), `cyrange.mac=IFNAME,MAC` so the init names NICs by MAC,
 * `cyrange.boot=disk` when the disk's own init is to run, then the blueprint's own words.
 */
export function renderKernelCmdline(host: ResolvedHost, range?: ResolvedRange): string {
  const words = ['console=ttyS0', 'panic=-1', 'quiet'];
  if (host.interfaces.length > 0) words.push(renderIpArg(host, range ? { range } : {}));
  for (const nic of host.interfaces) words.push(`cyrange.mac=${nic.ifname},${nic.mac}`);
  // The initramfs mounts the disk and switches to its own init (systemd) instead of running Cyrange's.
  if (host.microvm?.init === 'disk') words.push('cyrange.boot=disk');
  if (host.microvm?.append) words.push(host.microvm.append);
  return words.join(' ');
}

/**
 * The file the guest init sources (handed over by the launcher, e.g. QEMU fw_cfg): host name,
 * the command as quoted words, its environment, and whether a root disk is attached.
 */
export function renderGuestConfig(host: ResolvedHost): string {
  const lines = [`CYR_HOSTNAME=${shellQuote(host.name)}`];
  lines.push(`CYR_CMD=${shellQuote((host.command ?? []).map(shellQuote).join(' '))}`);
  lines.push(`CYR_DISK=${host.microvm?.disk ? '1' : '0'}`);
  for (const [k, v] of Object.entries(host.env)) lines.push(`export ${k}=${shellQuote(v)}`);
  return `${lines.join('\n')}\n`;
}
