import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CyrangeError, ERROR_STATUS, type ErrorCode, ValidationError, codeOfStatus, formatProblem, httpStatusOf } from '../model/index.js';

/** Fastify's body errors that mean "not JSON": ours is CYR_PARSE, as for a blueprint that does not parse. */
const PARSE_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** Our code for an error Fastify (or one of its plugins) raised with a 4xx status. */
export function codeOfFastifyError(err: FastifyError | Error): ErrorCode {
  const { statusCode, code } = err as Partial<FastifyError>;
  if (statusCode === 400 && (PARSE_ERRORS.has(code ?? '') || err instanceof SyntaxError)) return 'CYR_PARSE';
  return codeOfStatus(statusCode);
}

/**
 * One error body for every failure: a stable code, a message, and for bad input each problem. The
 * status is always the code's, from the one table (ERROR_STATUS).
 */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof ValidationError) {
    void reply.code(httpStatusOf(err)).send({
      code: err.code,
      message: err.problems.map(formatProblem).join('\n'),
      problems: err.problems.map((p) => ({ path: p.path, message: p.message, line: formatProblem(p) })),
    });
    return;
  }
  if (err instanceof CyrangeError) {
    const status = httpStatusOf(err);
    if (status >= 500) req.log.error({ err, code: err.code }, 'request failed');
    void reply.code(status).send({ code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) });
    return;
  }
  const status = (err as FastifyError).statusCode;
  if (status && status < 500) {
    const code = codeOfFastifyError(err);
    void reply.code(ERROR_STATUS[code]).send({ code, message: err.message });
    return;
  }
  req.log.error({ err }, 'unhandled error');
  void reply.code(500).send({ code: 'CYR_INTERNAL', message: 'internal error' });
}

/** The answer for a route that does not exist: 404 with CYR_NOT_FOUND, as any other missing object. */
export function notFound(req: FastifyRequest, reply: FastifyReply): void {
  void reply.code(ERROR_STATUS.CYR_NOT_FOUND).send({ code: 'CYR_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` });
}
