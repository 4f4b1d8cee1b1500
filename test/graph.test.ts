/**
 * `cyrange graph` from the CLI, and its DOT checked by Graphviz (a client no one here wrote): every
 * golden DOT file of the model tests and the command's own output lay out without a warning.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRawRange, resolveRange, standaloneBlueprint } from '../src/model/index.js';
import { openStore } from '../src/store/index.js';
import { ROOT, cli, tempStateDir } from './helpers.js';

const GOLDEN = join(ROOT, 'src/model/testdata/graph');
const state = tempStateDir();
afterAll(() => state.cleanup());
const run = (...args: string[]) => cli(args, { stateDir: state.dir });

/** Graphviz's `dot` on a file or text: exit code, SVG and warnings. */
async function dot(args: readonly string[], input?: string): Promise<{ code: number; svg: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('dot', ['-Tsvg', ...args], { encoding: 'utf8' }, (e, stdout, stderr) => {
      if (e && (e as NodeJS.ErrnoException).code === 'ENOENT') reject(new Error('dot is not installed: run scripts/setup.sh (graphviz)'));
      else resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, svg: stdout, err: stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

describe('graph DOT is valid Graphviz', () => {
  it.each(readdirSync(GOLDEN).filter((f) => f.endsWith('.dot')))('dot lays out %s', async (f) => {
    const r = await dot([join(GOLDEN, f)]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(r.svg).toContain('<svg');
  });
});

describe('cyrange graph INSTANCE --format mermaid|dot|json', () => {
  it('prints a recorded instance in each form', async () => {
    // Recorded straight into the store: `vm create` would start it, and graph needs only the record.
    const raw = standaloneBlueprint({ name: 'solo', subnet: '10.9.0.0/24' });
    const parsed = parseRawRange(raw);
    if ('problems' in parsed) throw new Error(JSON.stringify(parsed.problems));
    const store = await openStore({ stateDir: state.dir });
    await store.createRange({ resolved: resolveRange(parsed.raw), source: JSON.stringify(raw), kind: 'standalone', status: 'planned' });
    await store.close();
    const mermaid = await run('graph', 'solo');
    expect(mermaid.code, mermaid.stderr).toBe(0);
    expect(mermaid.stdout.split('\n')[1]).toBe('graph LR');
    expect(mermaid.stdout).toContain('h_solo ---|"eth0 10.9.0.10"| n_');
    const json = JSON.parse((await run('graph', 'solo', '--format', 'json')).stdout) as { nodes: unknown[]; edges: Array<{ ip: string }> };
    expect(json.nodes).toHaveLength(2);
    expect(json.edges).toMatchObject([{ kind: 'nic', source: 'host:solo', ifname: 'eth0', ip: '10.9.0.10' }]);
    const text = (await run('graph', 'solo', '--format', 'dot')).stdout;
    const r = await dot([], text);
    expect(r.code, r.err).toBe(0);
    expect(r.svg).toContain('eth0 10.9.0.10');
  });

  it('refuses an unknown format and an unknown instance', async () => {
    const bad = await run('graph', 'solo', '--format', 'png');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("argument 'png' is invalid");
    const none = await run('graph', 'nope');
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('no range instance "nope"');
  });
});
