import { sql } from 'drizzle-orm';
import type { Container } from '../../server/container';
import type { Database } from '../../server/db/client';
import { withTransaction } from '../../server/lib/tx';
import type { Fixtures } from './fixtures';

/** A Shanghai wall-clock time on a March 2026 day, as an instant: `at(10, '09:30')`. */
export const at = (day: number, time = '10:00') => new Date(`2026-03-${String(day).padStart(2, '0')}T${time}:00+08:00`);
export const D = (day: number) => `2026-03-${String(day).padStart(2, '0')}`;

/** The BI test clock: 2026-03-20 12:00 in Shanghai. */
export const BI_NOW = at(20, '12:00');

export interface BiSeed {
  channelX: string;
  channelY: string;
  users: { u1: string; u2: string; u3: string };
  apps: { a1: string; a2: string; a3: string };
}

/**
 * A small, hand-countable data set for the BI tests (March 2026, Shanghai days):
 * - 10th: visitors v1 (landed via 抖音 dy01/c7), v2 (via 快手 ks02), v3 (organic, web), v4 (organic, api);
 *   borrowers u1 (抖音 / c7, 上海, good), u2 (快手, 杭州, fair, risk-flagged), u3 (organic, 上海) register
 *   and apply: a1 (u1 → A, 装修, consent door api), a2 (u2 → B, 消费), a3 (u3 → A, 装修);
 *   the platform comes to owe 抖音 ¥30.00.
 * - 11th: a1 approved, a2 rejected; CPA commission ¥100.00 on a1; ¥10.00 of 抖音's payable reversed.
 * - 12th: a1 disbursed ¥50,000.00 as a loan whose first instalment is due on the 13th and never paid.
 */
export async function seedBi(c: Container, fx: Fixtures): Promise<BiSeed> {
  const db: Database = c.database.db;
  const pii = c.pii;
  const channelX = 'ch_bitestx';
  const channelY = 'ch_bitesty';
  await db.execute(sql`insert into channels (id, code, name, type) values (${channelX}, 'dy01', '抖音', 'feed_ads'), (${channelY}, 'ks02', '快手', 'feed_ads')`);
  const account = async (id: string, created: Date) =>
    db.execute(sql`insert into accounts (id, kind, login_hash, login_enc, login_masked, password_hash, display_name_enc, role, created_at)
      values (${id}, 'consumer', ${pii.blindIndex(`login:${id}`)}, ${pii.encrypt(id)}, ${'138****' + id.slice(-4)}, 'x', ${pii.encrypt('借款人')}, 'consumer', ${created})`);
  const users = { u1: 'acc_biu0001', u2: 'acc_biu0002', u3: 'acc_biu0003' };
  await account(users.u1, at(10, '09:00'));
  await account(users.u2, at(10, '09:10'));
  await account(users.u3, at(10, '09:20'));
  await db.execute(sql`insert into consumer_profiles (account_id, city, credit_self_assessment) values
    (${users.u1}, '上海', 'good'), (${users.u2}, '杭州', 'fair'), (${users.u3}, '上海', null)`);
  await db.execute(sql`insert into channel_touches (visitor, channel_id, sub_id, touched_at) values
    ('v1', ${channelX}, 'c7', ${at(10, '08:00')}), ('v2', ${channelY}, '', ${at(10, '08:05')})`);
  await db.execute(sql`insert into channel_attributions (account_id, channel_id, sub_id, touched_at, attributed_at) values
    (${users.u1}, ${channelX}, 'c7', ${at(10, '08:00')}, ${at(10, '09:00')}),
    (${users.u2}, ${channelY}, '', ${at(10, '08:05')}, ${at(10, '09:10')})`);
  await db.execute(sql`insert into risk_flags (account_id, code, created_at) values (${users.u2}, 'shared_device', ${at(10, '09:11')})`);
  await db.execute(sql`insert into catalogue_events (kind, channel, visitor, product_id, created_at) values
    ('view', 'web', 'v1', ${fx.institutionA.productId}, ${at(10, '08:01')}),
    ('search', 'web', 'v2', null, ${at(10, '08:06')}),
    ('view', 'web', 'v3', ${fx.institutionA.productId}, ${at(10, '08:30')}),
    ('view', 'api', 'v4', ${fx.institutionB.productId}, ${at(10, '08:40')}),
    ('impression', 'web', 'v5', ${fx.institutionB.productId}, ${at(10, '08:41')})`);
  const apps = { a1: 'app_bi0001', a2: 'app_bi0002', a3: 'app_bi0003' };
  const application = (id: string, consumer: string, inst: { id: string; productId: string }, purpose: string, city: string, band: string | null, created: Date, consentId: string | null = null) =>
    db.execute(sql`insert into applications (id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, applicant_name_enc, applicant_city, applicant_credit_band, consent_id, created_at)
      values (${id}, ${consumer}, ${inst.productId}, ${inst.id}, 5000000, 12, ${purpose}, ${pii.encrypt('张三丰')}, ${city}, ${band}, ${consentId}, ${created})`);
  await db.execute(sql`insert into consents (id, consumer_id, institution_id, application_id, purpose, fields, door, granted_at)
    values ('cns_bi0001', ${users.u1}, ${fx.institutionA.id}, ${apps.a1}, '贷款申请', ARRAY['name'], 'api', ${at(10, '10:00')})`);
  await application(apps.a1, users.u1, fx.institutionA, '装修', '上海', 'good', at(10, '10:00'), 'cns_bi0001');
  await application(apps.a2, users.u2, fx.institutionB, '消费', '杭州', 'fair', at(10, '10:10'));
  await application(apps.a3, users.u3, fx.institutionA, '装修', '上海', null, at(10, '10:20'));
  await db.execute(sql`insert into application_events (application_id, from_status, to_status, actor_kind, created_at) values
    (${apps.a1}, 'submitted', 'approved', 'institution', ${at(11)}),
    (${apps.a2}, 'submitted', 'rejected', 'institution', ${at(11, '11:00')}),
    (${apps.a1}, 'accepted', 'disbursed', 'institution', ${at(12)})`);
  await db.execute(sql`update applications set status = 'rejected' where id = ${apps.a2}`);
  await db.execute(sql`update applications set status = 'disbursed', disbursed_amount_fen = 5000000, disbursed_at = ${at(12)} where id = ${apps.a1}`);
  await db.execute(sql`insert into loans (id, application_id, consumer_id, institution_id, product_id, principal_fen, annual_rate, term_months, method, disbursed_at, first_due_date)
    values ('loan_bi0001', ${apps.a1}, ${users.u1}, ${fx.institutionA.id}, ${fx.institutionA.productId}, 5000000, '0.120000', 12, 'equal_installment', ${at(12)}, '2026-03-13')`);
  await db.execute(sql`insert into loan_instalments (loan_id, period, due_date, principal_fen, interest_fen, fee_fen) values ('loan_bi0001', 1, '2026-03-13', 400000, 50000, 0)`);
  const journal = (id: string, kind: string, applicationId: string | null, postedAt: Date, entries: [string, number][]) =>
    withTransaction(db, async (tx) => {
      await tx.execute(sql`insert into ledger_journals (id, source_key, kind, institution_id, application_id, posted_at) values (${id}, ${id}, ${kind}, ${applicationId ? fx.institutionA.id : null}, ${applicationId}, ${postedAt})`);
      for (const [account, amount] of entries) await tx.execute(sql`insert into ledger_entries (journal_id, account, amount_fen) values (${id}, ${account}, ${amount})`);
    });
  await journal('jnl_bi_cpa', 'commission_cpa', apps.a1, at(11), [
    [`receivable:institution:${fx.institutionA.id}`, 10000],
    ['revenue:commission:cpa', -10000],
  ]);
  await journal('jnl_bi_pay', 'channel_payout', null, at(10, '09:30'), [
    ['expense:channel_acquisition', 3000],
    [`payable:channel:${channelX}`, -3000],
  ]);
  await journal('jnl_bi_rev', 'channel_payout_reversal', null, at(11, '09:30'), [
    [`payable:channel:${channelX}`, 1000],
    ['expense:channel_acquisition', -1000],
  ]);
  return { channelX, channelY, users, apps };
}
