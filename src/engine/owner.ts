import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CyrangeError } from '../model/index.js';

/** Machine-wide record of which store (state directory) owns each instance: kernel objects carry no store id. */
const OWNERS_DIR = '/run/cyrange/owners';

function ownerFile(instance: string): string {
  return join(OWNERS_DIR, instance);
}

/** The state directory recorded as owning an instance, or null. */
export function ownerOf(instance: string): string | null {
  try {
    return readFileSync(ownerFile(instance), 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** Whether another store that still exists owns the instance; its objects are then not ours to touch. */
export function ownedElsewhere(instance: string, stateDir: string): string | null {
  const owner = ownerOf(instance);
  if (!owner || owner === resolve(stateDir)) return null;
  return existsSync(join(owner, 'cyrange.db')) ? owner : null;
}

/** Claims an instance for this store before any object is made; refuses one another store owns. */
export function claimInstance(instance: string, stateDir: string): void {
  const other = ownedElsewhere(instance, stateDir);
  if (other)
    throw new CyrangeError('CYR_EXISTS', `instance "${instance}" belongs to another Cyrange store (${other})`, {
      hint: 'deploy it under another --name',
    });
  mkdirSync(OWNERS_DIR, { recursive: true });
  writeFileSync(ownerFile(instance), resolve(stateDir));
}

/** Drops the claim once every object of the instance is gone. */
export function releaseInstance(instance: string, stateDir: string): void {
  if (!ownedElsewhere(instance, stateDir)) rmSync(ownerFile(instance), { force: true });
}
