/**
 * The layer rules of DESIGN.md, read from the sources: which layer may import which, only through
 * the other layer's index.ts, and `model` without I/O. Tests may reach across (fakes, fixtures).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'src');

/** What each layer may import (besides itself). `sys` is below both `dataplane` and `runtimes`. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  model: [],
  store: ['model'],
  sys: ['model'],
  dataplane: ['model', 'sys'],
  runtimes: ['model', 'sys', 'dataplane'],
  engine: ['model', 'store', 'sys', 'dataplane', 'runtimes'],
  // Thin shells: the API and the CLI reach the store only through the engine.
  api: ['model', 'engine'],
  // `serve` starts the API server.
  cli: ['model', 'engine', 'api'],
};

/** Imports that name a file behind another layer's index, each with why it is allowed. */
const PAST_INDEX: ReadonlySet<string> = new Set([
  // A leaf of constants: the CLI's eager command table shows the model's default without loading the model.
  'cli/commands/netfeatures.ts -> model/defaults.js',
]);

/** Edges allowed only from one folder: a runtime's NIC attachment wires through the data plane; nothing else of it does. */
const ONLY_FROM: Readonly<Record<string, string>> = {
  'runtimes -> dataplane': 'runtimes/nics/',
};

const NODE_IO = /^node:(fs|child_process|net|dgram|http|https|worker_threads)(\/|$)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testdata' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

interface Import {
  readonly file: string;
  readonly layer: string;
  readonly spec: string;
}

function importsOf(layer: string): Import[] {
  return sources(join(SRC, layer)).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)].map((m) => ({
      file: relative(SRC, file),
      layer,
      spec: m[1] as string,
    }));
  });
}

/** The layer and the path inside `src/` that a relative import names, or null for a package. */
function target(imp: Import): { layer: string; path: string } | null {
  if (!imp.spec.startsWith('.')) return null;
  const path = relative(SRC, join(SRC, imp.file, '..', imp.spec));
  return { layer: path.split('/')[0] as string, path };
}

const layers = Object.keys(ALLOWED);

describe('layers import one way (DESIGN.md)', () => {
  it.each(layers)('%s imports only the layers below it', (layer) => {
    const bad = importsOf(layer).flatMap((imp) => {
      const t = target(imp);
      if (!t || t.layer === layer) return [];
      const only = ONLY_FROM[`${layer} -> ${t.layer}`];
      const ok = ALLOWED[layer]?.includes(t.layer) && (only === undefined || imp.file.startsWith(only));
      return ok ? [] : [`${imp.file} -> ${t.path}`];
    });
    expect(bad).toEqual([]);
  });

  it.each(layers)('%s reaches other layers only through their index.ts', (layer) => {
    const bad = importsOf(layer).flatMap((imp) => {
      const t = target(imp);
      if (!t || t.layer === layer || t.path === `${t.layer}/index.js`) return [];
      const edge = `${imp.file} -> ${t.path}`;
      return PAST_INDEX.has(edge) ? [] : [edge];
    });
    expect(bad).toEqual([]);
  });

  it('model does no I/O', () => {
    const bad = importsOf('model').filter((imp) => NODE_IO.test(imp.spec) || imp.spec === 'pg' || imp.spec === 'better-sqlite3');
    expect(bad.map((i) => `${i.file} -> ${i.spec}`)).toEqual([]);
  });

  it('only sys starts subprocesses', () => {
    const bad = layers
      .filter((l) => l !== 'sys')
      .flatMap(importsOf)
      .filter((imp) => imp.spec === 'node:child_process')
      .map((i) => i.file);
    expect(bad).toEqual([]);
  });
});
