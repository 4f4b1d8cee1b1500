import { actorFor, loadBlueprintFile } from '../load.js';

/** `validate FILE`: its own module, so that it loads the model and the checks, not the engine. */
export function validate(file: string, o: { as?: string }): void {
  const { range } = loadBlueprintFile(file, undefined, actorFor(o.as));
  process.stdout.write(`${file}: valid (${range.networks.length} networks, ${range.hosts.length} hosts)\n`);
}
