import { describe, expect, it } from 'vitest';
import { parseMemory } from './resources.js';

describe('parseMemory', () => {
  it.each<[string | number, number | null]>([
    ['256m', 256 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1G', 1024 ** 3],
    ['1.5g', 1.5 * 1024 ** 3],
    ['512k', 512 * 1024],
    ['512MiB', 512 * 1024 ** 2],
    ['512mb', 512 * 1024 ** 2],
    ['64 m', 64 * 1024 ** 2],
    [' 2g ', 2 * 1024 ** 3],
    ['4096', 4096],
    ['4096b', 4096],
    [268435456, 268435456],
    ['lots', null],
    ['', null],
    ['0', null],
    ['0m', null],
    ['-1g', null],
    ['1t', null],
    ['1e3', null],
    ['1gg', null],
    ['g', null],
    [0, null],
    [-5, null],
    [1.5, null],
    [Number.MAX_SAFE_INTEGER + 2, null],
  ])('%j → %j', (input, want) => {
    expect(parseMemory(input)).toBe(want);
  });
});
