// Wall time of short CLI commands, as users run them (bin/cyrange, a new process each): `--help`,
// `validate` of a 100-host blueprint (JSON and YAML), `ls` of an existing store, against `node -e 0` in the same
// run, then what each layer costs to import (commander, model, store, engine). Figures only, no
// pass/fail; goals are printed next to them. No root needed.
// BENCH_DISTS=dist-cli-base,dist-cli compares builds (each through CYRANGE_DIST), runs interleaved
// so that load from elsewhere falls on all alike; BENCH_REPS sets the runs per figure (default 15).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { median, timed } from './timing.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'bin', 'cyrange');
const DISTS = (process.env.BENCH_DISTS ?? 'dist').split(',').map((d) => resolve(ROOT, d));
const REPS = Number(process.env.BENCH_REPS ?? 15);
const HOSTS = 100;
const GOAL_MS = 150;

const dir = mkdtempSync(join(tmpdir(), 'cyrange-bench-cli-'));
const blueprint = {
  name: 'bench',
  networks: [0, 1, 2, 3].map((i) => ({ name: `n${i}`, subnet: `10.${i}.0.0/22` })),
  vms: Array.from({ length: HOSTS }, (_, i) => ({ name: `h${i}`, interfaces: [{ network: `n${i % 4}` }] })),
};
// The same blueprint in both formats: YAML is what users write, and it costs more to parse.
const file = join(dir, `h${HOSTS}.json`);
writeFileSync(file, JSON.stringify(blueprint));
const yamlFile = join(dir, `h${HOSTS}.yaml`);
writeFileSync(yamlFile, stringify(blueprint));

const CASES = [
  ['--help', ['--help']],
  [`validate (${HOSTS} hosts)`, ['validate', file]],
  [`validate (${HOSTS} hosts, YAML)`, ['validate', yamlFile]],
  ['ls', ['ls']],
];

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');

try {
  const env = (dist) => ({ ...process.env, CYRANGE_DIST: dist, CYRANGE_STATE_DIR: join(dir, 'state') });
  // The store exists before `ls` is timed: its first open makes and migrates it.
  for (const d of DISTS) {
    const r = await timed([CLI, 'ls'], env(d));
    if (r.code !== 0) throw new Error(`cyrange ls (${d}) failed (${r.code}): ${r.err.trim()}`);
  }
  const times = new Map();
  const add = (key, t) => times.set(key, [...(times.get(key) ?? []), t]);
  for (let rep = 0; rep < REPS; rep++) {
    add('node -e 0', (await timed([process.execPath, '-e', '0'], process.env)).ms);
    for (const [name, args] of CASES)
      for (const d of DISTS) {
        const r = await timed([CLI, ...args], env(d));
        if (r.code !== 0) throw new Error(`cyrange ${args.join(' ')} (${d}) failed (${r.code}): ${r.err.trim()}`);
        add(`${name}|${d}`, r.ms);
      }
  }
  const rowOf = (label, xs) =>
    `${label.padEnd(48)}${f0(median(xs)).padStart(8)}${f0(quantile(xs, 0.9)).padStart(8)}${f0(Math.min(...xs)).padStart(8)}`;
  console.log(`${`wall ms, ${REPS} runs each`.padEnd(48)}${['median', 'p90', 'min'].map((h) => h.padStart(8)).join('')}`);
  console.log(rowOf('node -e 0', times.get('node -e 0')));
  for (const [name] of CASES)
    for (const d of DISTS) console.log(rowOf(`cyrange ${name} [${d.slice(ROOT.length) || d}]`, times.get(`${name}|${d}`)));
  console.log(`goal: validate (${HOSTS} hosts) and ls each ≤ ${GOAL_MS} ms wall`);

  // Where the time goes: each layer's import on top of the ones before it, in one process.
  const last = DISTS[DISTS.length - 1];
  const layers = [
    ['commander', import.meta.resolve('commander')],
    ['model (zod, yaml)', `${last}/model/index.js`],
    ['store (kysely, better-sqlite3)', `${last}/store/index.js`],
    ['engine (runtimes, dataplane, sys)', `${last}/engine/index.js`],
  ];
  const script = `const out = []; for (const m of ${JSON.stringify(layers.map((l) => l[1]))}) { const t = performance.now(); await import(m); out.push(performance.now() - t); } console.log(JSON.stringify(out));`;
  const steps = layers.map(() => []);
  for (let rep = 0; rep < REPS; rep++) {
    const r = await timed([process.execPath, '--input-type=module', '-e', script], process.env);
    if (r.code !== 0) throw new Error(`import timing failed: ${r.err.trim()}`);
    for (const [i, t] of JSON.parse(r.out).entries()) steps[i].push(t);
  }
  console.log(`\nimport cost per layer on top of the ones above it [${last.slice(ROOT.length) || last}], ms median`);
  for (const [i, [label]] of layers.entries()) console.log(`  ${label.padEnd(46)}${f0(median(steps[i])).padStart(8)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
