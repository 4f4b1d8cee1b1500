import { describe, expect, it } from 'vitest';
import { CyrangeError, ERROR_STATUS, type ErrorCode, ValidationError, codeOfStatus, httpStatusOf } from './errors.js';

describe('the code → status table', () => {
  it.each<[ErrorCode, number]>([
    ['CYR_BAD_REQUEST', 400],
    ['CYR_PARSE', 400],
    ['CYR_UNAUTHORIZED', 401],
    ['CYR_FORBIDDEN', 403],
    ['CYR_NOT_FOUND', 404],
    ['CYR_EXISTS', 409],
    ['CYR_CONFLICT', 409],
    ['CYR_IPAM_EXHAUSTED', 409],
    ['CYR_TOO_LARGE', 413],
    ['CYR_UNSUPPORTED_MEDIA', 415],
    ['CYR_INVALID', 422],
    ['CYR_UPGRADE_REQUIRED', 426],
    ['CYR_RATE_LIMITED', 429],
    ['CYR_RUNTIME', 500],
    ['CYR_COMMAND_FAILED', 500],
    ['CYR_DEPLOY_FAILED', 500],
    ['CYR_INTERRUPTED', 500],
    ['CYR_INTERNAL', 500],
    ['CYR_UNAVAILABLE', 503],
    ['CYR_TIMEOUT', 504],
  ])('%s is %i, for the error and through httpStatusOf', (code, status) => {
    expect(ERROR_STATUS[code]).toBe(status);
    expect(httpStatusOf(new CyrangeError(code, 'x'))).toBe(status);
  });

  it('lists every code above (a new code gets a row here)', () => {
    expect(Object.keys(ERROR_STATUS)).toHaveLength(20);
  });

  it('answers a ValidationError with 422 and anything not ours with 500', () => {
    expect(httpStatusOf(new ValidationError([{ path: 'vms[0].name', message: 'bad' }]))).toBe(422);
    expect(httpStatusOf(new Error('boom'))).toBe(500);
    expect(httpStatusOf('a string')).toBe(500);
  });

  it.each<[number | undefined, ErrorCode, number]>([
    [400, 'CYR_BAD_REQUEST', 400],
    [401, 'CYR_UNAUTHORIZED', 401],
    [404, 'CYR_NOT_FOUND', 404],
    [413, 'CYR_TOO_LARGE', 413],
    [415, 'CYR_UNSUPPORTED_MEDIA', 415],
    [429, 'CYR_RATE_LIMITED', 429],
    // A 4xx the table has no code of becomes a plain bad request.
    [405, 'CYR_BAD_REQUEST', 400],
    [418, 'CYR_BAD_REQUEST', 400],
    [500, 'CYR_INTERNAL', 500],
    [502, 'CYR_INTERNAL', 500],
    [undefined, 'CYR_INTERNAL', 500],
  ])('a foreign error with status %s gets code %s, answered %i', (status, code, answered) => {
    expect(codeOfStatus(status)).toBe(code);
    expect(ERROR_STATUS[codeOfStatus(status)]).toBe(answered);
  });
});
