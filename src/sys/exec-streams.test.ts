import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forwardInput } from './exec-streams.js';

describe('forwardInput', () => {
  it('forwards until detached, then leaves the listeners the caller owns in place', async () => {
    const stdin = new PassThrough();
    const mine: string[] = [];
    stdin.on('data', (d: Buffer) => mine.push(`caller:${d}`));
    const got: string[] = [];
    const detach = forwardInput(stdin, (d) => got.push(d.toString()));
    stdin.write('a');
    await new Promise((r) => setImmediate(r));
    detach();
    stdin.write('b');
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['a']);
    expect(mine).toEqual(['caller:a', 'caller:b']);
    expect(stdin.listenerCount('data')).toBe(1);
    expect(stdin.listenerCount('end')).toBe(0);
  });
});
