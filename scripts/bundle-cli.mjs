// Bundles the tsc build of the CLI (dist/cli/main.js) into dist/bundle/: loading a few files
// instead of ~500 ES modules is most of the CLI's start-up time. Each command's lazy import
// becomes its own chunk. Packages with native parts or only used by `serve` stay external.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';

/** Pure-JS packages every command may load: bundled. Everything else is required at run time. */
const BUNDLED = new Set(['commander', 'kysely', 'yaml', 'zod', 'unixcrypt']);
const packageOf = (id) => (id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]);

// The build to bundle: dist/, or a side build given as the argument.
const dist = process.argv[2] ?? 'dist';
rmSync(join(dist, 'bundle'), { recursive: true, force: true });
await build({
  input: join(dist, 'cli', 'main.js'),
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !BUNDLED.has(packageOf(id)),
  // A layer's index.ts only re-exports: marked free of side effects, a command that imports one
  // thing through it loads the module behind that thing, not the whole layer (validate: no engine).
  treeshake: { moduleSideEffects: [{ test: /\/(model|store|sys|dataplane|runtimes|engine|api)\/index\.js$/, sideEffects: false }] },
  logLevel: 'warn',
  output: { dir: join(dist, 'bundle'), format: 'esm', minify: true, entryFileNames: 'main.js', chunkFileNames: '[name]-[hash].js' },
});
