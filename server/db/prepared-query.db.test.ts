import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../test/support/database';
import { withTransaction } from '../lib/tx';
import { auditLog } from '../modules/audit/audit.schema';
import { idempotencyKeys } from '../modules/idempotency/idempotency.schema';
import { riskFlags } from '../modules/risk/risk.schema';
import type { DatabaseHandle } from './client';
import { preparedQuery } from './prepared-query';

/**
 * A query rendered once and run many times (preparedQuery): the same rows, mapped the same way,
 * as the builder run on its own, with each call's values, on the database and in a transaction
 * (where it sees the transaction's own writes), on PGlite and on the PostgreSQL server when TEST_DATABASE_URL is set.
 */

const auditOf = preparedQuery(['objectIds', 'since'], (db, p) =>
  db
    .select({ id: auditLog.id, objectId: auditLog.objectId, detail: auditLog.detail, createdAt: auditLog.createdAt })
    .from(auditLog)
    .where(and(sql`${auditLog.objectId} = any(${p.objectIds})`, sql`${auditLog.createdAt} >= ${p.since}`))
    .orderBy(desc(auditLog.id)),
);
const flagWithKey = preparedQuery(['accountId', 'scope'], (db, p) =>
  db
    .select({ code: riskFlags.code, key: idempotencyKeys.key })
    .from(riskFlags)
    .leftJoin(idempotencyKeys, eq(idempotencyKeys.scope, p.scope))
    .where(eq(riskFlags.accountId, p.accountId)),
);
const claim = preparedQuery(['scope', 'key'], (db, p) =>
  db.insert(idempotencyKeys).values({ scope: p.scope, key: p.key, requestHash: 'h' }).onConflictDoNothing().returning({ key: idempotencyKeys.key }),
);
const complete = preparedQuery(['scope', 'key', 'statusCode', 'body'], (db, p) =>
  db
    .update(idempotencyKeys)
    .set({ statusCode: sql`${p.statusCode}`, responseBody: sql`${p.body}::jsonb` })
    .where(and(eq(idempotencyKeys.scope, p.scope), eq(idempotencyKeys.key, p.key))),
);

describe.each(databaseTargets())('queries rendered once ($name)', (target) => {
  let handle: DatabaseHandle;
  const since = new Date('2026-01-01T00:00:00.000Z');
  beforeAll(async () => {
    handle = await target.open();
    await handle.db.insert(auditLog).values([
      { actorKind: 'system', action: 'prepared.test', objectType: 'probe', objectId: 'a', detail: { 字段: ['甲', 1] } },
      { actorKind: 'system', action: 'prepared.test', objectType: 'probe', objectId: 'b' },
      { actorKind: 'system', action: 'prepared.test', objectType: 'probe', objectId: 'c', createdAt: new Date('2025-06-01T00:00:00.000Z') },
    ]);
  });
  afterAll(() => handle?.close());

  it('answers what the builder answers, with each call’s values, Dates and jsonb mapped', async () => {
    const db = handle.db;
    const byBuilder = await db
      .select({ id: auditLog.id, objectId: auditLog.objectId, detail: auditLog.detail, createdAt: auditLog.createdAt })
      .from(auditLog)
      .where(and(inArray(auditLog.objectId, ['a', 'b', 'c']), gte(auditLog.createdAt, since)))
      .orderBy(desc(auditLog.id));
    const first = await auditOf(db, { objectIds: ['a', 'b', 'c'], since });
    expect(first).toEqual(byBuilder);
    expect(first.map((r) => r.objectId)).toEqual(['b', 'a']);
    expect(first[1]!.detail).toEqual({ 字段: ['甲', 1] });
    expect(first[1]!.createdAt).toBeInstanceOf(Date);
    // the same rendered query with other values
    expect((await auditOf(db, { objectIds: ['c'], since: new Date('2025-01-01T00:00:00.000Z') })).map((r) => r.objectId)).toEqual(['c']);
    expect(await auditOf(db, { objectIds: [], since })).toEqual([]);
  });

  it('maps a left join’s missing side to null, as drizzle does', async () => {
    await handle.db.insert(riskFlags).values({ accountId: 'acc-prepared', code: 'shared_device', detail: {} });
    expect(await flagWithKey(handle.db, { accountId: 'acc-prepared', scope: 'nobody' })).toEqual([{ code: 'shared_device', key: null }]);
    expect(await flagWithKey(handle.db, { accountId: 'acc-none', scope: 'nobody' })).toEqual([]);
  });

  it('runs inside a transaction, seeing its writes, and a rollback takes them back', async () => {
    const rolledBack = new Error('roll back');
    await expect(
      withTransaction(handle.db, async (tx) => {
        expect(await claim(tx, { scope: 'tx', key: 'k1' })).toEqual([{ key: 'k1' }]);
        expect(await claim(tx, { scope: 'tx', key: 'k1' })).toEqual([]);
        await complete(tx, { scope: 'tx', key: 'k1', statusCode: 201, body: JSON.stringify([{ id: 'app_1' }]) });
        const [row] = await tx.select().from(idempotencyKeys).where(eq(idempotencyKeys.scope, 'tx'));
        expect(row).toMatchObject({ statusCode: 201, responseBody: [{ id: 'app_1' }] });
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await handle.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.scope, 'tx'))).toEqual([]);
    // and on the database itself, after being used in the transaction
    expect(await claim(handle.db, { scope: 'tx', key: 'k1' })).toEqual([{ key: 'k1' }]);
  });

  it('refuses a call without one of its values', async () => {
    await expect(auditOf(handle.db, { objectIds: ['a'] } as never)).rejects.toThrow(/since/);
  });
});
