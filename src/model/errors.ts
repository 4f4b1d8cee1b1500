/**
 * Stable error codes and their HTTP status: the one table. The API answers every error with the
 * status of its code, and errors of other origin (Fastify's own 4xx) with a code of this table.
 */
export const ERROR_STATUS = {
  /** A request the server could not take as it came (a bad header, a body that failed a schema). */
  CYR_BAD_REQUEST: 400,
  /** A body or file that is not valid JSON or YAML. */
  CYR_PARSE: 400,
  CYR_UNAUTHORIZED: 401,
  CYR_FORBIDDEN: 403,
  CYR_NOT_FOUND: 404,
  CYR_EXISTS: 409,
  /** The object is not in a state that allows this (a host not running, an instance busy). */
  CYR_CONFLICT: 409,
  CYR_IPAM_EXHAUSTED: 409,
  CYR_TOO_LARGE: 413,
  CYR_UNSUPPORTED_MEDIA: 415,
  /** Input that parsed but is wrong: names each problem. */
  CYR_INVALID: 422,
  /** A WebSocket endpoint called without the upgrade. */
  CYR_UPGRADE_REQUIRED: 426,
  CYR_RATE_LIMITED: 429,
  CYR_COMMAND_FAILED: 500,
  CYR_DEPLOY_FAILED: 500,
  /** A runtime (runc, Docker, QEMU, a guest agent) failed at what it was asked. */
  CYR_RUNTIME: 500,
  /** A job whose server stopped before it finished. */
  CYR_INTERRUPTED: 500,
  CYR_INTERNAL: 500,
  /** The machine lacks something the operation needs (a system user, a profile, a reachable mirror): set-up, not input. */
  CYR_UNAVAILABLE: 503,
  CYR_TIMEOUT: 504,
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

/** HTTP status for any error: CyrangeErrors (ValidationError included) by code, everything else 500. */
export function httpStatusOf(err: unknown): number {
  return err instanceof CyrangeError ? ERROR_STATUS[err.code] : 500;
}

/** Codes that stand for a status on their own, for errors that come with a status only. */
const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'CYR_BAD_REQUEST',
  401: 'CYR_UNAUTHORIZED',
  403: 'CYR_FORBIDDEN',
  404: 'CYR_NOT_FOUND',
  409: 'CYR_CONFLICT',
  413: 'CYR_TOO_LARGE',
  415: 'CYR_UNSUPPORTED_MEDIA',
  422: 'CYR_INVALID',
  426: 'CYR_UPGRADE_REQUIRED',
  429: 'CYR_RATE_LIMITED',
  503: 'CYR_UNAVAILABLE',
  504: 'CYR_TIMEOUT',
};

/**
 * The code for an error of other origin that carries only an HTTP status: the code of that status,
 * `CYR_BAD_REQUEST` for any other 4xx, `CYR_INTERNAL` for the rest. Its status in ERROR_STATUS may
 * differ from `status` only for a 4xx the table has no code of (answered 400).
 */
export function codeOfStatus(status: number | undefined): ErrorCode {
  if (status !== undefined && CODE_OF_STATUS[status]) return CODE_OF_STATUS[status];
  return status !== undefined && status >= 400 && status < 500 ? 'CYR_BAD_REQUEST' : 'CYR_INTERNAL';
}
