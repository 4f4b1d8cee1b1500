import { readFileSync } from 'node:fs';
import { type ResolvedRange, ValidationError, loadRawRange, resolveRange } from '../model/index.js';

/** Reads, parses and resolves a blueprint file; every failure is a ValidationError naming the file. */
export function loadBlueprintFile(file: string, instance?: string): { range: ResolvedRange; source: string } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValidationError(
      [{ path: '', message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }],
      file,
    );
  }
  const raw = loadRawRange(source, file);
  return { range: resolveRange(raw, { source: file, ...(instance !== undefined ? { instance } : {}) }), source };
}
