// Timing helpers the benchmarks share: wall time of spawned commands and medians.
import { spawn } from 'node:child_process';

/** A monotonic timestamp for `ms`. */
export const now = () => process.hrtime.bigint();

/** Milliseconds since `t0` (from `now()`). */
export const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

/** Spawns a command and resolves with its wall time, exit code and output. */
export function timed(argv, env) {
  return new Promise((res) => {
    const t = now();
    const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    c.stdout.on('data', (b) => {
      out += b;
    });
    c.stderr.on('data', (b) => {
      err += b;
    });
    c.on('error', (e) => res({ ms: ms(t), code: -1, out, err: String(e) }));
    c.on('close', (code) => res({ ms: ms(t), code, out, err }));
  });
}

/** The median of the finite values (NaN when there are none). */
export function median(xs) {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : Number.NaN;
}
