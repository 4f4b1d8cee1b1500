import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type BlueprintDoc, type DocPath, formatOf, newDoc, openDoc, pushIn, readDoc, removeAt, renameKey, setIn } from './doc.js';

const YAML = `# a comment the builder keeps
name: corp
x-unknown: { kept: true }
networks:
  - name: lan   # lan side
    subnet: 10.0.1.0/24
    dhcp: { start: 10.0.1.100, end: 10.0.1.150 }
vms:
  - name: b
    interfaces:
      - { network: lan, mac: 02:00:00:00:00:01 }
  - name: a
    command: [sh, -c, "echo hi"]
    interfaces:
      - { network: lan }
`;
const JSON_TEXT = `${JSON.stringify(parse(YAML), null, 2)}\n`;

describe('blueprint document editing', () => {
  it.each([
    ['{ "name": "x" }', 'json'],
    ['  \n{}', 'json'],
    ['name: x', 'yaml'],
  ])('formatOf(%j) is %s', (text, format) => expect(formatOf(text)).toBe(format));

  it.each<[string, string]>([
    ['yaml', YAML],
    ['json', JSON_TEXT],
  ])('%s: an edit changes only its path; unknown fields and order stay', (_, text) => {
    const doc = openDoc(text);
    const edited = setIn(doc, ['vms', 1, 'interfaces', 0, 'ip'], '10.0.1.5');
    expect(edited.format).toBe(doc.format);
    const want = parse(YAML);
    want.vms[1].interfaces[0].ip = '10.0.1.5';
    expect(readDoc(edited)).toEqual(want);
    expect(Object.keys(readDoc(edited) ?? {})).toEqual(['name', 'x-unknown', 'networks', 'vms']);
  });

  it('YAML keeps its comments and stays YAML; JSON stays JSON', () => {
    const y = setIn(openDoc(YAML), ['name'], 'corp2');
    expect(y.text).toContain('# a comment the builder keeps');
    expect(y.text).toContain('# lan side');
    expect(y.text).toMatch(/^name: corp2$/m);
    const j = setIn(openDoc(JSON_TEXT), ['name'], 'corp2');
    expect(JSON.parse(j.text).name).toBe('corp2');
  });

  it.each<[string, DocPath, unknown, (v: any) => unknown, unknown]>([
    ['sets a nested field, making its map', ['vms', 0, 'rate'], 1, (v) => v.vms[0].rate, 1],
    ['deletes a field', ['networks', 0, 'dhcp'], undefined, (v) => 'dhcp' in v.networks[0], false],
    ['drops a map it empties', ['vms', 0, 'interfaces', 0, 'mac'], undefined, (v) => v.vms[0].interfaces[0], { network: 'lan' }],
    ['sets a whole object', ['networks', 0, 'dhcp'], true, (v) => v.networks[0].dhcp, true],
  ])('%s', (_, path, value, pick, want) => {
    for (const d of [openDoc(YAML), openDoc(JSON_TEXT)]) expect(pick(readDoc(setIn(d, path, value)))).toEqual(want);
  });

  it.each<[string, BlueprintDoc]>([
    ['yaml', openDoc(YAML)],
    ['json', openDoc(JSON_TEXT)],
  ])('%s: push and remove list items in place', (_, doc) => {
    const pushed = pushIn(doc, ['vms', 1, 'interfaces'], { network: 'dmz' });
    expect((readDoc(pushed) as any).vms[1].interfaces).toEqual([{ network: 'lan' }, { network: 'dmz' }]);
    const made = pushIn(doc, ['policies'], { network: 'lan', direction: 'ingress', action: 'deny' });
    expect((readDoc(made) as any).policies).toHaveLength(1);
    const removed = removeAt(doc, ['vms', 0]);
    expect((readDoc(removed) as any).vms.map((h: { name: string }) => h.name)).toEqual(['a']);
    expect('routes' in (readDoc(removeAt(pushIn(doc, ['routes'], ['a', 'b']), ['routes', 0])) ?? {})).toBe(false);
  });

  it('a new blueprint grows a block list of hosts', () => {
    const d = pushIn(newDoc(), ['vms'], { name: 'h1', interfaces: [{ network: 'lan' }] });
    expect(d.text).toContain('vms:\n  - name: h1\n    interfaces:\n      - { network: lan }\n');
  });

  it.each<[string, BlueprintDoc]>([
    ['yaml', openDoc('plugins:\n  web: { image: nginx } # the web tier\n  db: { image: postgres }\nname: x\n')],
    ['json', openDoc('{ "plugins": { "web": { "image": "nginx" }, "db": { "image": "postgres" } }, "name": "x" }')],
  ])('%s: a key is renamed in its place, and not onto another key', (format, doc) => {
    const renamed = renameKey(doc, ['plugins'], 'web', 'www');
    expect(Object.entries((readDoc(renamed) as any).plugins)).toEqual([
      ['www', { image: 'nginx' }],
      ['db', { image: 'postgres' }],
    ]);
    if (format === 'yaml') expect(renamed.text).toContain('www: { image: nginx } # the web tier');
    expect(renameKey(doc, ['plugins'], 'web', 'db')).toBe(doc);
    expect(renameKey(doc, ['plugins'], 'nope', 'x')).toBe(doc);
  });

  it('text that does not parse is not edited', () => {
    const bad = openDoc('name: [unclosed');
    expect(readDoc(bad)).toBeUndefined();
    expect(setIn(bad, ['name'], 'x')).toBe(bad);
  });
});
