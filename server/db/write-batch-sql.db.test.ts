import { sql, type SQLWrapper } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../../test/support/database';
import { withTransaction } from '../lib/tx';
import { auditLog } from '../modules/audit/audit.schema';
import { riskFlags, riskSignals } from '../modules/risk/risk.schema';
import { drizzleInternals, executeTogether, queryRows, togetherByDrizzle, type Database, type DatabaseHandle, type Notification } from './client';
import { renderTogether } from './write-batch-sql';

/**
 * executeTogether's statement rendered without drizzle's SQL tree (renderTogether): the same text
 * and the same values as drizzle renders, for every kind of write a batch holds, and the same rows
 * written, on PGlite and on the PostgreSQL server when TEST_DATABASE_URL is set.
 */

const at = new Date('2026-12-07T03:00:00.000Z');

/** A batch with what submissions send: plain inserts (defaults, nulls, jsonb, timestamps), raw SQL with values, an insert with ON CONFLICT and one with an SQL value. */
function batch(db: Database, tag: string): SQLWrapper[] {
  return [
    db.insert(riskSignals).values([
      { kind: 'application', accountId: `acc-${tag}`, applicationId: `app-${tag}-1`, deviceHash: 'dev', ipHash: 'ip' },
      { kind: 'application', accountId: `acc-${tag}`, applicationId: null, deviceHash: 'dev', ipHash: 'ip', createdAt: at },
    ]),
    db.insert(auditLog).values([
      { actorKind: 'system', actorId: null, action: 'batch.test', objectType: 'probe', objectId: tag, detail: { 字段: ['甲', 1], nested: { ok: true } } },
      { actorKind: 'system', action: 'batch.test', objectType: 'probe', objectId: tag, ip: '127.0.0.1', createdAt: at },
    ]),
    sql`insert into ${riskFlags} (account_id, code, detail) select ${`acc-${tag}`}, 'shared_device', ${JSON.stringify({ accounts: 3 })}::jsonb where ${2}::int > ${1}::int`,
    db.insert(riskFlags).values({ accountId: `acc-${tag}`, code: 'application_burst', detail: { n: 2 } }).onConflictDoNothing(),
    db.insert(riskSignals).values({ kind: 'registration', accountId: `acc-${tag}`, deviceHash: 'dev', ipHash: sql`md5(${tag})`, createdAt: at }),
  ];
}

describe.each(databaseTargets())('writes sent together ($name)', (target) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(() => handle?.close());

  const dialectOf = (db: Database) => drizzleInternals(db).dialect;
  const notifications: Notification[] = [{ channel: 'dc_probe', payload: '{"id":"甲"}' }, { channel: 'dc_probe', payload: 'second' }];

  it('renders the text and values drizzle renders, with or without NOTIFYs, and one write alone', () => {
    const db = handle.db;
    for (const [writes, notes] of [
      [batch(db, 'a'), notifications],
      [batch(db, 'b'), []],
      [batch(db, 'c').slice(0, 1), []],
      [[], notifications],
    ] as [SQLWrapper[], Notification[]][]) {
      const fast = renderTogether(dialectOf(db), writes, notes);
      const slow = dialectOf(db).sqlToQuery(togetherByDrizzle(writes, notes));
      expect(fast).toEqual({ sql: slow.sql, params: slow.params });
    }
  });

  it('leaves to drizzle a write whose text does not number its own values', () => {
    const db = handle.db;
    expect(renderTogether(dialectOf(db), [sql`insert into ${riskFlags} (account_id, code, detail) values ('$1', 'loan_overdue', $$ {} $$::jsonb)`], [])).toBeUndefined();
    expect(renderTogether(dialectOf(db), [sql`insert into ${riskFlags} (account_id, code, detail) values (${'acc'}, 'loan_overdue', '{"note": "$1"}'::jsonb)`], [])).toBeUndefined();
  });

  it('writes every row of the batch in one statement, in a transaction and outside one', async () => {
    await executeTogether(handle.db, batch(handle.db, 'outside'), notifications);
    await withTransaction(handle.db, (tx) => executeTogether(tx, batch(tx, 'inside')));
    for (const tag of ['outside', 'inside']) {
      const signals = await queryRows<{ kind: string; application_id: string | null; ip_hash: string; created_at: Date | string }>(
        handle.db,
        sql`select kind, application_id, ip_hash, created_at from risk_signals where account_id = ${`acc-${tag}`} order by kind, application_id nulls last`, // the parts of one statement run in no set order
      );
      expect(signals.map((s) => [s.kind, s.application_id])).toEqual([
        ['application', `app-${tag}-1`],
        ['application', null],
        ['registration', null],
      ]);
      expect(new Date(signals[1]!.created_at).toISOString()).toBe(at.toISOString());
      expect(signals[2]!.ip_hash).toMatch(/^[0-9a-f]{32}$/);
      const audits = await queryRows<{ detail: unknown; ip: string | null }>(handle.db, sql`select detail, ip from audit_log where object_id = ${tag} order by id`);
      expect(audits).toEqual([
        { detail: { 字段: ['甲', 1], nested: { ok: true } }, ip: null },
        { detail: {}, ip: '127.0.0.1' },
      ]);
      const flags = await queryRows<{ code: string }>(handle.db, sql`select code from risk_flags where account_id = ${`acc-${tag}`} order by code`);
      expect(flags.map((f) => f.code)).toEqual(['application_burst', 'shared_device']);
    }
  });
});
