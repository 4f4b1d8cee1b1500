/** Stable error codes. Each maps to one HTTP status in `httpStatusOf`. */
export const ERROR_STATUS = {
  CYR_INVALID: 422,
  CYR_PARSE: 400,
  CYR_NOT_FOUND: 404,
  CYR_EXISTS: 409,
  CYR_CONFLICT: 409,
  CYR_IPAM_EXHAUSTED: 409,
  CYR_FORBIDDEN: 403,
  CYR_UNAUTHORIZED: 401,
  CYR_COMMAND_FAILED: 500,
  CYR_DEPLOY_FAILED: 500,
  CYR_RUNTIME: 500,
  CYR_TIMEOUT: 504,
  CYR_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with an input, located by its field path (`vms[2].interfaces[1].ip`). */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Renders a problem as the one-line form the CLI and API print. */
export function formatProblem(p: Problem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** Base class of every error Cyrange raises on purpose. */
export class CyrangeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  constructor(code: ErrorCode, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
  }
}

/** Invalid user input: carries every problem found, not only the first. */
export class ValidationError extends CyrangeError {
  readonly problems: readonly Problem[];
  readonly source: string | undefined;
  constructor(problems: readonly Problem[], source?: string) {
    const lines = problems.map(formatProblem);
    super('CYR_INVALID', lines.map((l) => (source ? `${source}: ${l}` : l)).join('\n'));
    this.problems = problems;
    this.source = source;
  }
}

/** HTTP status for any error: CyrangeErrors by code, everything else 500. */
export function httpStatusOf(err: unknown): number {
  return err instanceof CyrangeError ? ERROR_STATUS[err.code] : 500;
}
