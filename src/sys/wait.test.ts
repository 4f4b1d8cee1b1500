import { describe, expect, it } from 'vitest';
import { withSignal } from './cancel.js';
import { sleep, waitFor } from './wait.js';

describe('waitFor', () => {
  it.each<[string, () => boolean, { timeoutMs: number; while?: () => boolean }, boolean]>([
    ['a condition already true', () => true, { timeoutMs: 0 }, true],
    ['a condition that never holds', () => false, { timeoutMs: 60 }, false],
    ['a condition that can no longer happen', () => false, { timeoutMs: 5000, while: () => false }, false],
  ])('%s', async (_what, check, opts, want) => {
    const t0 = Date.now();
    expect(await waitFor(check, opts)).toBe(want);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('resolves true once the condition turns true', async () => {
    let n = 0;
    expect(await waitFor(() => ++n >= 3, { timeoutMs: 2000, intervalMs: 5 })).toBe(true);
    expect(n).toBe(3);
  });

  it('stops when the work it is part of is aborted', async () => {
    const err = await withSignal(AbortSignal.timeout(30), () => waitFor(() => false, { timeoutMs: 5000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });

  it('sleep rejects when its signal aborts', async () => {
    await expect(sleep(5000, AbortSignal.timeout(20))).rejects.toBeInstanceOf(Error);
  });
});
