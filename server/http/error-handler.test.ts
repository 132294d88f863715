import type { Request, Response } from 'express';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db/client';
import {
  type AppError,
  ConflictError,
  ForbiddenError,
  GoneError,
  LockedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
  conflictCodes,
  forbiddenCodes,
  goneCodes,
  lockedCodes,
  notFoundCodes,
  payloadTooLargeCodes,
  rateLimitedCodes,
  serviceUnavailableCodes,
  unauthenticatedCodes,
  unsupportedMediaTypeCodes,
  validationCodes,
  type ErrorCode,
} from '../lib/errors';
import { createErrorHandler, describeError } from './error-handler';
import type { SurfaceRenderers } from './render';

describe('the error handler on a database error', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openDatabase({});
  });
  afterAll(() => database?.close());

  it("logs the driver's cause (SQLSTATE, message) and the query, never the query's values", async () => {
    const err = await database.db.execute(sql`select ${'王小明\u0000secret'}::text as x`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const sent: unknown[] = [];
    const res = { headersSent: false, status: () => res, json: (body: unknown) => sent.push(body) } as unknown as Response;
    createErrorHandler(logger, {} as SurfaceRenderers)(err, { originalUrl: '/api/v1/x', id: 'req-1' } as unknown as Request, res, () => undefined);

    expect(sent).toEqual([{ error: { code: 'internal', message: '服务器内部错误，请稍后重试', requestId: 'req-1' } }]);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 50, msg: 'request failed', reqId: 'req-1' });
    expect(entry.cause).toMatchObject({ code: '22021', severity: 'ERROR', message: 'invalid byte sequence for encoding "UTF8": 0x00' });
    expect(entry.err.message).toBe('Failed query: select $1::text as x');
    expect(entry.err).toMatchObject({ type: 'DrizzleQueryError' });
    expect(entry.err.stack).toMatch(/^Error: Failed query: select \$1::text as x\n\s+at /);
    expect(lines[0]).not.toContain('secret');
    expect(lines[0]).not.toContain('王小明');
  });
});

/** Each class with the status it must answer and every code it accepts, made the way a service makes it. */
const classes: { name: string; status: number; codes: readonly ErrorCode[]; make: (code: never) => AppError }[] = [
  { name: 'ValidationError', status: 400, codes: validationCodes, make: (code) => new ValidationError('输入有误', { x: '有误' }, code) },
  { name: 'UnauthenticatedError', status: 401, codes: unauthenticatedCodes, make: (code) => new UnauthenticatedError('请先登录', code) },
  { name: 'ForbiddenError', status: 403, codes: forbiddenCodes, make: (code) => new ForbiddenError('没有权限', code) },
  { name: 'NotFoundError', status: 404, codes: notFoundCodes, make: () => new NotFoundError() },
  { name: 'ConflictError', status: 409, codes: conflictCodes, make: (code) => new ConflictError(code, '状态冲突') },
  { name: 'GoneError', status: 410, codes: goneCodes, make: (code) => new GoneError(code, '已失效') },
  { name: 'LockedError', status: 423, codes: lockedCodes, make: (code) => new LockedError(code, '已锁定') },
  { name: 'RateLimitedError', status: 429, codes: rateLimitedCodes, make: (code) => new RateLimitedError('太频繁', code) },
  { name: 'PayloadTooLargeError', status: 413, codes: payloadTooLargeCodes, make: () => new PayloadTooLargeError('过大') },
  { name: 'UnsupportedMediaTypeError', status: 415, codes: unsupportedMediaTypeCodes, make: () => new UnsupportedMediaTypeError('类型不支持') },
  { name: 'ServiceUnavailableError', status: 503, codes: serviceUnavailableCodes, make: () => new ServiceUnavailableError() },
];

describe('every error code answers the status of its class', () => {
  it.each(classes.flatMap((c) => c.codes.map((code) => [code, c.name, c.status, c.make] as const)))('%s (%s) answers %i', (code, _name, status, make) => {
    const err = make(code as never);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(describeError(err)).toMatchObject({ status, body: { code } });
  });

  it('no code is declared for two classes (one code, one status)', () => {
    const all = classes.flatMap((c) => c.codes);
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
  });

  // the codes the old code→status table lacked answered 400; each is a conflict or a refusal with its own status
  it.each([
    ['statement_not_draft', 409],
    ['statement_paid', 409],
    ['line_resolved', 409],
    ['dispute_resolved', 409],
    ['difference_resolved', 409],
    ['nothing_due', 409],
    ['stripe_not_configured', 409],
    ['category_exists', 409],
    ['category_in_use', 409],
    ['webhook_already_delivered', 409],
    ['nothing_submitted', 409],
    ['duplicate_application', 409],
    ['case_closed', 409],
    ['slug_taken', 409],
    ['not_applied', 403],
  ] as const)('%s answers %i', (code, status) => {
    const declared = classes.find((c) => c.codes.includes(code));
    expect(declared?.status).toBe(status);
    expect(describeError(declared!.make(code as never)).status).toBe(status);
  });

  it("what the frameworks throw gets the status of the class it stands for", () => {
    expect(describeError(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400 }))).toMatchObject({ status: 400, body: { code: 'invalid_json' } });
    expect(describeError(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413 }))).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    expect(describeError(Object.assign(new Error('x'), { type: 'charset.unsupported', status: 415 }))).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });
    expect(describeError(Object.assign(new Error('x'), { name: 'MulterError', code: 'LIMIT_FILE_SIZE', field: 'file' }))).toMatchObject({
      status: 413,
      body: { code: 'payload_too_large', fields: { file: '文件不能超过 5 MB' } },
    });
    expect(describeError(Object.assign(new Error('invalid csrf token'), { code: 'EBADCSRFTOKEN' }))).toMatchObject({ status: 403, body: { code: 'csrf_invalid' } });
    expect(describeError(new Error('boom'))).toMatchObject({ status: 500, body: { code: 'internal' } });
  });
});
