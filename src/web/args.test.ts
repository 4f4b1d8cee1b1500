import { describe, expect, it } from 'vitest';
import { joinArgs, splitArgs } from './args.js';

describe('command lines', () => {
  it.each<[string, string[]]>([
    ['sleep infinity', ['sleep', 'infinity']],
    [`sh -c 'echo hi there'`, ['sh', '-c', 'echo hi there']],
    ['sh -c "say \\"x\\""', ['sh', '-c', 'say "x"']],
    ["a\\ b ''", ['a b', '']],
    ['  ', []],
  ])('splitArgs(%j)', (line, args) => expect(splitArgs(line)).toEqual(args));

  it.each<[string[]]>([[['sleep', 'infinity']], [['sh', '-c', "echo 'it' works"]], [['', 'a\\b', 'x"y']]])(
    'joinArgs(%j) reads back unchanged',
    (args) => expect(splitArgs(joinArgs(args))).toEqual(args),
  );
});
