import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CyrangeError, ValidationError, formatProblem, httpStatusOf } from '../model/index.js';

/** One error body for every failure: a stable code, a message, and for bad input each problem. */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof ValidationError) {
    void reply.code(422).send({
      code: err.code,
      message: err.problems.map(formatProblem).join('\n'),
      problems: err.problems.map((p) => ({ path: p.path, message: p.message, line: formatProblem(p) })),
    });
    return;
  }
  if (err instanceof CyrangeError) {
    void reply.code(httpStatusOf(err)).send({ code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) });
    return;
  }
  const status = (err as FastifyError).statusCode;
  if (status && status < 500) {
    void reply.code(status).send({ code: 'CYR_PARSE', message: err.message });
    return;
  }
  req.log.error({ err }, 'unhandled error');
  void reply.code(500).send({ code: 'CYR_INTERNAL', message: 'internal error' });
}
