#!/usr/bin/env node
// Generates src/web/api-types.ts, the web UI's types of the API, with openapi-typescript from the
// OpenAPI document. The document comes from the Fastify app built from dist/ (run `tsc` first;
// `npm run gen:api` does) with a throwaway store, made ready but never listening: nothing starts.
//
//   node scripts/gen-api-types.mjs                 write src/web/api-types.ts
//   node scripts/gen-api-types.mjs --check         exit 1 when the file is not what the document gives
//   node scripts/gen-api-types.mjs --doc FILE      also write the document itself to FILE
//   node scripts/gen-api-types.mjs --dist DIR      build the app from DIR instead of dist/
//
// The test suite imports `apiTypes` and compares its output for the served document with the file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
/** Where the generated types live. */
export const TYPES_FILE = join(ROOT, 'src/web/api-types.ts');

const HEADER = `/**
 * Types of the Cyrange API, generated from its OpenAPI document by openapi-typescript.
 * Do not edit: run \`npm run gen:api\` (a test fails when this file is out of date).
 */

`;

/** The OpenAPI document of the app built from `dist` (compiled server code), without listening on anything. */
export async function openapiDocument(dist = join(ROOT, 'dist')) {
  const url = (p) => pathToFileURL(join(resolve(dist), p)).href;
  const { buildServer, JobRunner } = await import(url('api/index.js'));
  const { Engine, configFromEnv } = await import(url('engine/index.js'));
  const { openStore } = await import(url('store/index.js'));
  const stateDir = mkdtempSync(join(tmpdir(), 'cyrange-openapi-'));
  const store = await openStore({ stateDir });
  try {
    const engine = new Engine(store, { ...configFromEnv({}), stateDir });
    const app = await buildServer({ engine, jobs: new JobRunner(), webRoot: null });
    try {
      await app.ready();
      return structuredClone(app.swagger());
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The text of src/web/api-types.ts for an OpenAPI document: openapi-typescript's output, formatted by Biome. */
export async function apiTypes(doc) {
  const text = HEADER + astToString(await openapiTS(structuredClone(doc)));
  const biome = spawnSync(join(ROOT, 'node_modules/.bin/biome'), ['format', `--stdin-file-path=${TYPES_FILE}`], {
    cwd: ROOT,
    input: text,
    encoding: 'utf8',
  });
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr}`);
  return biome.stdout;
}

async function main(argv) {
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const doc = await openapiDocument(opt('--dist'));
  const docFile = opt('--doc');
  if (docFile) writeFileSync(docFile, `${JSON.stringify(doc, null, 2)}\n`);
  const text = await apiTypes(doc);
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(TYPES_FILE, 'utf8');
    } catch {}
    if (current !== text) {
      process.stderr.write('src/web/api-types.ts is out of date: run npm run gen:api\n');
      process.exit(1);
    }
    return;
  }
  writeFileSync(TYPES_FILE, text);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
