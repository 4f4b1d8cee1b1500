import { describe, expect, it } from 'vitest';
import { type ValidationError, formatProblem, loadRawRange, resolveRange } from '../model/index.js';
import { checkDoc, problemsAt, resolvedNic, takenOn } from './check.js';

const GOOD = `name: r
networks:
  - { name: lan, subnet: 10.0.1.0/24 }
vms:
  - name: a
    interfaces: [{ network: lan, ip: 10.0.1.10 }]
  - name: b
    interfaces: [{ network: lan }]
`;

/** What the CLI's loader says about a text, as lines. */
function modelLines(text: string): string[] {
  try {
    resolveRange(loadRawRange(text));
    return [];
  } catch (e) {
    return (e as ValidationError).problems.map(formatProblem);
  }
}

describe('model checks in the builder', () => {
  it('resolves a good blueprint; a plain password counts as hashed, as the server hashes it first', () => {
    const c = checkDoc(GOOD.replace('name: b', 'name: b\n    users: [{ name: alice, password: s3cret }]'));
    expect(c.problems).toEqual([]);
    expect(resolvedNic(c, 1, 'lan')?.ip).toBe('10.0.1.11');
    expect(takenOn(c, 'lan', 1)).toEqual(['10.0.1.10']);
  });

  it.each([
    ['out of subnet', GOOD.replace('ip: 10.0.1.10', 'ip: 10.0.9.9')],
    ['bad subnet', GOOD.replace('10.0.1.0/24', '10.0.1.5/24')],
    ['unknown field', GOOD.replace('name: a', 'name: a\n    colour: red')],
    ['duplicate network', GOOD.replace('[{ network: lan, ip: 10.0.1.10 }]', '[{ network: lan }, { network: lan }]')],
    ['yaml syntax', 'name: [x'],
  ])('%s: the same lines as the model loader', (_, text) => {
    const lines = checkDoc(text).problems.map(formatProblem);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines).toEqual(modelLines(text));
  });

  it.each<[string, string, string[], number]>([
    ['a NIC', 'vms[0].interfaces[0]', [], 1],
    ['a host without its NICs', 'vms[0]', ['vms[0].interfaces[0]'], 0],
    ['another host', 'vms[1]', [], 0],
  ])('problemsAt %s', (_, prefix, exclude, n) => {
    const c = checkDoc(GOOD.replace('ip: 10.0.1.10', 'ip: 10.0.9.9'));
    expect(problemsAt(c, prefix, exclude)).toHaveLength(n);
  });
});
