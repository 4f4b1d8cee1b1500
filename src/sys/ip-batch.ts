import { CyrangeError } from '../model/index.js';
import type { Argv } from './exec.js';

const SAFE_TOKEN = /^[A-Za-z0-9_.:/@+=,-]+$/;

/**
 * Serializes `ip` sub-commands for `ip -batch -`. Every token comes from validated
 * model data; a token that could change how a batch line splits is refused.
 */
export function toBatch(lines: readonly Argv[]): string {
  return lines
    .map((line) => {
      for (const t of line) {
        if (!SAFE_TOKEN.test(t)) throw new CyrangeError('CYR_INTERNAL', `refusing unsafe ip batch token ${JSON.stringify(t)}`);
      }
      return line.join(' ');
    })
    .join('\n')
    .concat('\n');
}
