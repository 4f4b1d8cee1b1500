// `node --import ./register-ts.mjs script.mjs`: run a script that imports the TypeScript sources (tests only).
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
