import { CyrangeError } from './errors.js';

/** The hint a CLI user gets with `noRangeError`: where the instances are listed. */
export const LIST_RANGES_HINT = 'see `cyrange ls`';

/** The one error for an instance that is not stored (or not visible to the caller): `CYR_NOT_FOUND`. */
export function noRangeError(instance: string, opts: { readonly hint?: string } = {}): CyrangeError {
  return new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`, opts.hint ? { hint: opts.hint } : {});
}
