import { describe, expect, it } from 'vitest';
import { LineReader } from './line-reader.js';

function feed(chunks: readonly string[], max = 8): { lines: string[]; cut: number[] } {
  const lines: string[] = [];
  const cut: number[] = [];
  const r = new LineReader(
    max,
    (l) => lines.push(l),
    (n) => cut.push(n),
  );
  for (const c of chunks) r.push(c);
  return { lines, cut };
}

describe('LineReader', () => {
  it.each([
    ['one line', ['abc\n'], ['abc'], []],
    ['lines across chunks', ['ab', 'c\nde', 'f\n'], ['abc', 'def'], []],
    ['several lines in one chunk', ['a\nb\nc\n'], ['a', 'b', 'c'], []],
    ['a partial line waits', ['abc'], [], []],
    ['a line at the limit passes', ['12345678\n'], ['12345678'], []],
    ['a line past the limit is cut, the next passes', ['123456789\nok\n'], ['ok'], [9]],
    ['a long line over many chunks is cut once', ['12345', '67890', 'abcde', '\nok\n'], ['ok'], [15]],
  ])('%s', (_what, chunks, lines, cut) => {
    expect(feed(chunks)).toEqual({ lines, cut });
  });

  it('holds no more than the limit while a peer streams without newlines', () => {
    const r = new LineReader(1024, () => {});
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    for (let i = 0; i < 1600; i++) r.push(chunk); // 100 MiB
    expect((r as unknown as { held: number; parts: Buffer[] }).parts).toEqual([]);
  });
});
