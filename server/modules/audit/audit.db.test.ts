import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sqlState, type DatabaseHandle } from '../../db/client';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { AuditService } from './audit.service';

/** The audit log is append-only in the database itself: no code path (or person with SQL) can rewrite history. */
describe.each(databaseTargets())('audit log on $name', (target) => {
  let handle: DatabaseHandle;
  let audit: AuditService;
  beforeAll(async () => {
    handle = await target.open();
    audit = new AuditService({ db: handle.db, pii: testCipher() });
    for (let i = 0; i < 5; i++) {
      await audit.recordNow({ kind: 'operator', id: 'acc_test', ip: '127.0.0.1' }, { action: i % 2 ? 'review.rejected' : 'review.approved', objectType: 'review', objectId: `t${i}` });
    }
  });
  afterAll(() => handle?.close());

  const count = async () => (await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from audit_log`))[0]!.n;
  const refused = (e: unknown) => sqlState(e) === 'P0001';

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(handle.db.execute(sql`update audit_log set action = 'rewritten'`)).rejects.toSatisfy(refused);
    await expect(handle.db.execute(sql`update audit_log set detail = '{}'::jsonb where object_id = 't1'`)).rejects.toSatisfy(refused);
    await expect(handle.db.execute(sql`delete from audit_log where object_id = 't0'`)).rejects.toSatisfy(refused);
    await expect(handle.db.execute(sql`delete from audit_log`)).rejects.toSatisfy(refused);
    await expect(handle.db.execute(sql`truncate audit_log`)).rejects.toSatisfy(refused);
    expect(await count()).toBe(5);
    const rows = await queryRows<{ action: string }>(handle.db, sql`select action from audit_log order by id`);
    expect(rows.map((r) => r.action)).toEqual(['review.approved', 'review.rejected', 'review.approved', 'review.rejected', 'review.approved']);
  });

  it('still accepts new rows, and a refused change inside a transaction rolls the whole transaction back', async () => {
    const attempt = handle.db.transaction(async (tx) => {
      await tx.execute(sql`insert into audit_log (actor_kind, action, object_type) values ('system', 'test.inside', 'thing')`);
      await tx.execute(sql`delete from audit_log where action = 'review.rejected'`);
    });
    await expect(attempt).rejects.toSatisfy(refused);
    expect(await count()).toBe(5);
    await audit.recordNow({ kind: 'system' }, { action: 'audit.viewed', objectType: 'review' });
    expect(await count()).toBe(6);
  });

  it('searches by keyset, newest first, with a prefix match on the action', async () => {
    const first = await audit.search({ action: 'review.' }, { limit: 2 });
    expect(first.rows.map((r) => r.objectId)).toEqual(['t4', 't3']);
    const second = await audit.search({ action: 'review.' }, { limit: 2, before: first.nextBefore! });
    expect(second.rows.map((r) => r.objectId)).toEqual(['t2', 't1']);
    const last = await audit.search({ action: 'review.' }, { limit: 2, before: second.nextBefore! });
    expect(last).toMatchObject({ nextBefore: null, rows: [{ objectId: 't0' }] });
    // LIKE wildcards in the filter are literal characters
    expect((await audit.search({ action: 'review_' })).rows).toEqual([]);
    expect((await audit.search({ action: 'review.rejected', actorId: 'acc_test', ip: '127.0.0.1' })).rows.map((r) => r.objectId)).toEqual(['t3', 't1']);
    const all: string[] = [];
    for await (const row of audit.each({ objectType: 'review' }, 2)) all.push(row.action);
    expect(all).toHaveLength(6);
  });
});
