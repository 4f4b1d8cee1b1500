import { describe, expect, it } from 'vitest';
import { MAX_BLUEPRINT_BYTES, MAX_NESTING, formatPath, loadRawRange, parseDocumentText, parseRawRange } from './blueprint.js';
import { ValidationError, formatProblem } from './errors.js';

/** The problem lines `loadRawRange` throws for `text`, or [] when it loads. */
function linesOf(text: string, source?: string): string[] {
  try {
    loadRawRange(text, source);
    return [];
  } catch (e) {
    if (e instanceof ValidationError) return e.problems.map(formatProblem);
    throw e;
  }
}

describe('formatPath', () => {
  it.each<[PropertyKey[], string]>([
    [[], ''],
    [['name'], 'name'],
    [['vms', 2, 'interfaces', 1, 'ip'], 'vms[2].interfaces[1].ip'],
    [['plugins', 'web', 'network', 'mode'], 'plugins.web.network.mode'],
    [['routes', 0, 1], 'routes[0][1]'],
  ])('%j → %s', (path, want) => {
    expect(formatPath(path)).toBe(want);
  });
});

describe('parsing blueprint text', () => {
  it('reads JSON and YAML to the same raw range', () => {
    const obj = {
      name: 'j',
      networks: [{ name: 'lan', subnet: '10.0.1.0/24' }],
      vms: [{ name: 'a', interfaces: [{ network: 'lan', ip: '10.0.1.5' }] }],
    };
    const yaml =
      'name: j\nnetworks:\n  - { name: lan, subnet: 10.0.1.0/24 }\nvms:\n  - name: a\n    interfaces: [{ network: lan, ip: 10.0.1.5 }]\n';
    expect(loadRawRange(JSON.stringify(obj))).toEqual(loadRawRange(yaml));
    expect(loadRawRange(JSON.stringify(obj))).toEqual(obj);
  });

  it('fills in empty networks and vms', () => {
    expect(loadRawRange('name: bare\n')).toEqual({ name: 'bare', networks: [], vms: [] });
  });

  it.each<[string, string, string[]]>([
    [
      'a YAML syntax error names its line',
      'name: x\nnetworks: [\n',
      ['line 3: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ],
    ['duplicate keys', 'name: x\nname: y\n', ['line 2: Map keys must be unique']],
    ['several documents', 'name: x\n---\nname: y\n', ['line 2: a blueprint is one document; this text holds several']],
    ['an empty document', '', ['expected object, got null']],
    ['a list instead of a range', '- name: x\n', ['expected object, got [{"name":"x"}]']],
    ['unknown top-level fields', 'name: x\nhosts: []\nnets: []\n', ['unknown fields "hosts", "nets"']],
    [
      'an unknown network field',
      'name: x\nnetworks: [{ name: lan, subnet: 10.0.1.0/24, vlan: 5 }]\n',
      ['networks[0]: unknown field "vlan"'],
    ],
    ['an unknown plugin field', 'name: x\nplugins: { web: { imag: nginx } }\n', ['plugins.web: unknown field "imag"']],
    [
      'an unknown network-config field',
      'name: x\nvms: [{ name: a, network: { mode: bridged, dhcp: true } }]\n',
      ['vms[0].network: unknown field "dhcp"'],
    ],
    ['a wrong type', 'name: x\nvms: { a: 1 }\n', ['vms: expected array, got {"a":1}']],
    ['a bad env name', 'name: x\nvms: [{ name: a, env: { 1X: y } }]\n', ['vms[0].env.1X: "1X" is not a valid variable name']],
    [
      'a bad plugin name',
      'name: x\nplugins: { Web: {} }\n',
      ['plugins.Web: "Web" must match [a-z0-9_-], start with a letter or digit, 1..32 chars'],
    ],
  ])('%s', (_name, text, want) => {
    const got = linesOf(text);
    expect(got).toEqual(want);
  });

  it('prefixes every line of the message with the source', () => {
    try {
      loadRawRange('name: x\nhosts: []\nnetworks: [{ name: lan }]\n', 'bp.yaml');
      expect.fail('should not load');
    } catch (e) {
      expect((e as ValidationError).code).toBe('CYR_INVALID');
      expect((e as ValidationError).message).toBe('bp.yaml: networks[0].subnet: is required\nbp.yaml: unknown field "hosts"');
    }
  });

  it('checks an already parsed value too (API bodies)', () => {
    expect(parseRawRange({ name: 'x', vms: [{ name: 'a', runtime: 'kvm' }] })).toEqual({
      problems: [{ path: 'vms[0].runtime', message: 'unknown value "kvm" (valid: netns, docker, microvm)' }],
    });
  });
});

describe('hostile input', () => {
  const tooBig = `document is larger than ${MAX_BLUEPRINT_BYTES} bytes`;

  it.each([
    ['ASCII just over the limit', `# ${'x'.repeat(MAX_BLUEPRINT_BYTES)}\nname: x\n`, tooBig],
    ['few characters but too many UTF-8 bytes', `# ${'é'.repeat(MAX_BLUEPRINT_BYTES / 2 + 1)}\nname: x\n`, tooBig],
    [
      'flow collections nested too deep',
      `name: x\nvms: ${'['.repeat(MAX_NESTING + 1)}${']'.repeat(MAX_NESTING + 1)}\n`,
      `document nests collections deeper than ${MAX_NESTING} levels`,
    ],
    [
      'block sequences nested too deep',
      `${'- '.repeat(MAX_NESTING + 1)}x\n`,
      `document nests collections deeper than ${MAX_NESTING} levels`,
    ],
    [
      'JSON objects nested too deep',
      `${'{"a":'.repeat(MAX_NESTING + 1)}1${'}'.repeat(MAX_NESTING + 1)}`,
      `document nests collections deeper than ${MAX_NESTING} levels`,
    ],
  ])('refuses %s', (_name, text, want) => {
    const r = parseDocumentText(text);
    expect('problems' in r && r.problems.map(formatProblem)).toEqual([want]);
  });

  it('accepts a document at the size and nesting limits', () => {
    const deep = `${'['.repeat(MAX_NESTING - 1)}${']'.repeat(MAX_NESTING - 1)}`;
    expect(parseDocumentText(`vms: ${deep}\n`)).toEqual({ value: { vms: JSON.parse(deep) } });
    const padded = `name: x\n# ${'é'.repeat(1000)}`;
    expect(parseDocumentText(padded + 'x'.repeat(MAX_BLUEPRINT_BYTES - new TextEncoder().encode(padded).length))).toEqual({
      value: { name: 'x' },
    });
  });

  it('refuses hundreds of thousands of nesting levels quickly, without blowing the stack', () => {
    // Before the nesting guard this input overflowed yaml's recursive composer; a second such
    // document in the same process then aborted Node with a fatal out-of-memory.
    for (const text of ['['.repeat(200_000), '- '.repeat(200_000), `${'['.repeat(100_000)}${']'.repeat(100_000)}`]) {
      const t0 = performance.now();
      expect(linesOf(text)).toEqual([`document nests collections deeper than ${MAX_NESTING} levels`]);
      expect(performance.now() - t0).toBeLessThan(3000);
    }
  });

  it('refuses a billion-laughs alias bomb in under a second', () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x]',
      ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
    ].join('\n');
    const t0 = performance.now();
    expect(linesOf(bomb)).toEqual(['Excessive alias count indicates a resource exhaustion attack']);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('still allows a few aliases', () => {
    expect(loadRawRange('name: x\nplugins:\n  a: &p { runtime: netns }\n  b: *p\n').plugins).toEqual({
      a: { runtime: 'netns' },
      b: { runtime: 'netns' },
    });
  });
});
