import { readFileSync } from 'node:fs';
import { admissionPolicy, configFromEnv, hashBlueprintPasswords } from '../engine/index.js';
import { type Actor, type ResolvedRange, ValidationError, admit, loadRawRange, resolveRange } from '../model/index.js';

/** The admission actor of this CLI process: root on the machine counts as an admin. */
export function localActor(): Actor {
  return process.getuid?.() === 0 ? { kind: 'local-root' } : { kind: 'local-user' };
}

/** The actor `--as ROLE` names (what that role would be refused), or this process. */
export function actorFor(as: string | undefined): Actor {
  if (as === undefined) return localActor();
  if (as === 'admin' || as === 'instructor' || as === 'student') return { kind: 'user', name: `(as ${as})`, role: as };
  throw new ValidationError([{ path: '--as', message: `"${as}" is not a role (admin, instructor, student)` }]);
}

/** The text of a blueprint file; one that cannot be read is a ValidationError naming it. */
export function readBlueprintText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValidationError(
      [{ path: '', message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }],
      file,
    );
  }
}

/**
 * Reads, parses, resolves and admits a blueprint file; every failure is a ValidationError naming
 * the file.
 */
export function loadBlueprintFile(file: string, instance?: string, actor: Actor = localActor()): { range: ResolvedRange; source: string } {
  let source = readBlueprintText(file);
  // Plain passwords never go further than this: what is parsed and stored holds crypt hashes.
  source = hashBlueprintPasswords(source, { ...(instance !== undefined ? { instance } : {}), stateDir: configFromEnv().stateDir });
  const raw = loadRawRange(source, file);
  const range = resolveRange(raw, { source: file, ...(instance !== undefined ? { instance } : {}) });
  admit(range, actor, admissionPolicy(configFromEnv()), file);
  return { range, source };
}
