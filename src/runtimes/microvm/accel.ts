import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The CPU accelerator a guest runs under. */
export type Accel = 'kvm' | 'tcg';

/** Where the probe's answer is kept: per boot of the machine, as KVM's health is the machine's. */
const CACHE = '/run/cyrange/kvm-probe.json';
const PROBE_MS = 8_000;

/**
 * Whether KVM guests boot here: /dev/kvm can exist while nested guests hang. Boots the guest kernel
 * without a root file system under KVM; it must panic and exit within the time limit.
 */
async function probeKvm(qemu: string, kernel: string): Promise<boolean> {
  if (!existsSync('/dev/kvm')) return false;
  const log = join(tmpdir(), `cyrange-kvm-probe-${process.pid}.log`);
  const argv = ['-accel', 'kvm', '-cpu', 'host', '-m', '128', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot'];
  argv.push('-serial', `file:${log}`, '-kernel', kernel, '-append', 'console=ttyS0 panic=-1');
  try {
    const ok = await new Promise<boolean>((resolve) => {
      const child = spawn(qemu, argv, { stdio: 'ignore' });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(false);
      }, PROBE_MS);
      child.on('error', () => resolve(false));
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code === 0);
      });
    });
    return ok && existsSync(log) && readFileSync(log, 'utf8').includes('Kernel panic');
  } finally {
    rmSync(log, { force: true });
  }
}

/**
 * The accelerator to use: the configured one, or with `auto` KVM if the cached probe (run once per
 * machine boot) says its guests boot, else TCG.
 */
export async function chooseAccel(qemu: string, kernel: string, wanted: 'auto' | Accel): Promise<Accel> {
  if (wanted !== 'auto') return wanted;
  try {
    const cached = JSON.parse(readFileSync(CACHE, 'utf8')) as { kvm: boolean };
    return cached.kvm ? 'kvm' : 'tcg';
  } catch {
    // not probed yet on this boot
  }
  const kvm = await probeKvm(qemu, kernel);
  mkdirSync('/run/cyrange', { recursive: true });
  writeFileSync(CACHE, `${JSON.stringify({ kvm, probedAt: new Date().toISOString() })}\n`);
  return kvm ? 'kvm' : 'tcg';
}
