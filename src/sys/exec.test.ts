import { describe, expect, it } from 'vitest';
import { uncancellable, withSignal } from './cancel.js';
import { CommandFailedError, run } from './exec.js';

describe('run: argv only, bounded and cancellable', () => {
  it.each<[string, () => Promise<unknown>, string, string]>([
    ['past its time limit', () => run(['sleep', '5'], { timeoutMs: 50 }), 'CYR_TIMEOUT', 'timed out after 50 ms'],
    ['aborted through its signal', () => run(['sleep', '5'], { signal: AbortSignal.timeout(50) }), 'CYR_COMMAND_FAILED', 'aborted'],
    [
      'aborted through the signal of the work it is part of',
      () => withSignal(AbortSignal.timeout(50), () => run(['sleep', '5'])),
      'CYR_COMMAND_FAILED',
      'aborted',
    ],
    ['not installed', () => run(['cyrange-no-such-program']), 'CYR_COMMAND_FAILED', 'cyrange-no-such-program is not installed'],
    ['exiting non-zero', () => run(['false']), 'CYR_COMMAND_FAILED', 'exit 1'],
  ])('a command %s fails with %s', async (_what, op, code, message) => {
    const t0 = Date.now();
    const err = await op().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).code).toBe(code);
    expect((err as Error).message).toContain(message);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('an aborted command does not resolve as a failure, even with allowFailure', async () => {
    const err = await run(['sleep', '5'], { signal: AbortSignal.timeout(50), allowFailure: true }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('aborted');
  });

  it('an operation aborted before the command starts never starts it', async () => {
    const err = await run(['sh', '-c', 'exit 0'], { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('aborted');
  });

  it("undo work runs outside an aborted operation's signal", async () => {
    const r = await withSignal(AbortSignal.abort(), () => uncancellable(() => run(['true'])));
    expect(r.code).toBe(0);
  });

  it('passes input and collects output', async () => {
    expect((await run(['cat'], { input: 'hello' })).stdout).toBe('hello');
  });
});
