import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type SystemUser, run } from '../../sys/index.js';
import { SANDBOX } from './qemu.js';
import { asUser } from './vm-user.js';

/** The CPU accelerator a guest runs under. */
export type Accel = 'kvm' | 'tcg';

/** Where the probe's answer is kept: per boot of the machine, as KVM's health is the machine's. */
const CACHE = '/run/cyrange/kvm-probe.json';
const PROBE_MS = 8_000;

/**
 * Whether KVM guests boot here for `user`: /dev/kvm can exist while nested guests hang, or be closed
 * to the VM user. Boots the guest kernel without a root file system under KVM, as the VM user and
 * sandboxed like a guest; it must panic and exit within the time limit.
 */
async function probeKvm(qemu: string, kernel: string, user: SystemUser): Promise<boolean> {
  if (!existsSync('/dev/kvm')) return false;
  const argv = ['-accel', 'kvm', '-cpu', 'host', '-m', '128', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot'];
  argv.push('-sandbox', SANDBOX, '-serial', 'stdio', '-kernel', kernel, '-append', 'console=ttyS0 panic=-1');
  try {
    const r = await run(asUser(user, [qemu, ...argv]), { timeoutMs: PROBE_MS, allowFailure: true });
    return r.code === 0 && r.stdout.includes('Kernel panic');
  } catch {
    return false;
  }
}

/**
 * The accelerator to use: the configured one, or with `auto` KVM if the cached probe (run once per
 * machine boot, as the VM user) says its guests boot, else TCG.
 */
export async function chooseAccel(qemu: string, kernel: string, wanted: 'auto' | Accel, user: SystemUser): Promise<Accel> {
  if (wanted !== 'auto') return wanted;
  try {
    const cached = JSON.parse(readFileSync(CACHE, 'utf8')) as { kvm: boolean; uid?: number };
    // An answer for another user (or from before guests ran unprivileged) says nothing about this one.
    if (cached.uid === user.uid) return cached.kvm ? 'kvm' : 'tcg';
  } catch {
    // not probed yet on this boot
  }
  const kvm = await probeKvm(qemu, kernel, user);
  mkdirSync('/run/cyrange', { recursive: true });
  writeFileSync(CACHE, `${JSON.stringify({ kvm, uid: user.uid, probedAt: new Date().toISOString() })}\n`);
  return kvm ? 'kvm' : 'tcg';
}
