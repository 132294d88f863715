import type { Request, Response } from 'express';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../db/client';
import { createErrorHandler } from './error-handler';
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
