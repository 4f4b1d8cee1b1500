import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYRANGE, IS_ROOT, cli, tempStateDir, uniqueName } from './helpers.js';

const ASSETS = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';

const BLUEPRINT = `name: abuse
networks:
  - { name: lan, subnet: 10.73.0.0/24 }
vms:
  - { name: vm, runtime: microvm, resources: { memory: 160m }, interfaces: [{ network: lan, ip: 10.73.0.20 }] }
`;

/** Peak resident memory of a process, in MiB (VmHWM), or 0 once it is gone. */
function peakMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

describe.skipIf(!IS_ROOT)('a guest that floods its control channel', () => {
  const state = tempStateDir();
  const inst = uniqueName('abuse');
  const env = { CYRANGE_MICROVM_ASSETS: ASSETS };

  beforeAll(async () => {
    const file = join(state.dir, 'abuse.yaml');
    writeFileSync(file, BLUEPRINT);
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir, env });
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir, env });
    state.cleanup();
  }, 60_000);

  it('100 MiB with no newline leaves the reader bounded, and the host still answers', async () => {
    // The guest writes 100 MiB of one endless "line" onto its own control port while the exec that
    // asked for it waits for its answer on the same channel.
    const flood = 'head -c 104857600 /dev/zero | tr "\\0" A > /dev/virtio-ports/cyrange.ctl; echo flooded';
    const child = spawn(CYRANGE, ['exec', inst, 'vm', '--', 'sh', '-c', flood], {
      env: { ...process.env, ...env, CYRANGE_STATE_DIR: state.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => {
      out += b;
    });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, peakMiB(child.pid ?? 0));
    }, 100);
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
    clearInterval(sampler);
    expect(code).toBe(0);
    expect(out).toContain('flooded');
    // Node itself takes some 60-100 MiB; the 100 MiB stream must not be held on top of the reader's 64 MiB cap.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(250);
    const inspect = await cli(['inspect', inst, '--json'], { stateDir: state.dir, env });
    expect(inspect.code).toBe(0);
    expect(JSON.parse(inspect.stdout).hosts[0].state).toBe('running');
    expect((await cli(['exec', inst, 'vm', '--', 'echo', 'ok'], { stateDir: state.dir, env })).stdout).toBe('ok\n');
  }, 300_000);
});
