import { rmSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePiiKeys } from '../../server/config';
import { queryRows, type Database, type DatabaseHandle } from '../../server/db/client';
import { runDataSteps } from '../../server/db/data-steps';
import { PiiCipher } from '../../server/lib/pii';
import { idCheckCharacter } from '../../server/modules/identity';
import { hashPassword } from '../../server/modules/accounts/passwords';
import { accountBalance } from '../../server/modules/settlement/ledger';
import { startTestApp, TEST_PII_KEY, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { migrationsBefore } from '../support/migrations';
import { PASSWORD } from '../support/fixtures';
import { consumerAgent, staffAgent } from '../support/http';

const OLD = {
  consumerPhone: '13655550001',
  consumerName: '欧阳娜娜',
  staffName: '司马懿',
  invitedName: '诸葛亮',
  contactName: '上官婉儿',
  contactEmail: 'wan.er@shangguan.example',
  realName: '慕容复',
  // born 15 May 1990 in 东城区
  idNumber: (() => {
    const first17 = '11010119900515123';
    return first17 + idCheckCharacter(first17);
  })(),
  code: '482913',
};

/**
 * A database as the previous release left it (display names, invitation names, onboarding
 * contacts in clear; the birth date and 7 characters of the ID number in clear; one-time codes
 * kept whole for a real gateway; a statement paid far beyond its total) is migrated and started:
 * every row is converted, nothing is lost, nothing personal is left in clear, and what filtered
 * on those columns still works. On PostgreSQL too when TEST_DATABASE_URL is set.
 */
describe.each(databaseTargets())('personal data at rest, upgraded on $name', (target) => {
  let t: TestApp;
  let handle: DatabaseHandle;
  let folder: string;
  const pii = new PiiCipher(parsePiiKeys(TEST_PII_KEY));
  const ids = { institution: 'ins_legacy', consumer: 'usr_legacy', staff: 'stf_legacy', statement: 'stm_legacy' };

  /** Every text in the database's tables, as one string, to look for what must not be there. */
  async function everything(db: Database): Promise<string> {
    const tables = await queryRows<{ name: string }>(db, sql`select tablename as name from pg_tables where schemaname = 'public'`);
    let all = '';
    for (const { name } of tables) all += JSON.stringify(await queryRows(db, sql.raw(`select * from "${name}"`)));
    return all;
  }

  beforeAll(async () => {
    handle = await target.openBare();
    folder = migrationsBefore('_data_protection');
    await handle.migrate(folder);
    const db = handle.db;
    const idHash = pii.blindIndex(`id-number:${OLD.idNumber}`);
    await db.execute(sql`insert into institutions (id, name, short_name, kind) values (${ids.institution}, '旧数据银行股份有限公司', '旧数据银行', 'bank')`);
    await db.execute(sql`
      insert into accounts (id, kind, login_hash, login_enc, login_masked, password_hash, display_name, role, institution_id) values
        (${ids.consumer}, 'consumer', ${pii.blindIndex(`consumer:${OLD.consumerPhone}`)}, ${pii.encrypt(OLD.consumerPhone)}, '136****0001', ${await hashPassword(PASSWORD)}, ${OLD.consumerName}, 'consumer', null),
        (${ids.staff}, 'institution', ${pii.blindIndex('institution:legacy.admin')}, ${pii.encrypt('legacy.admin')}, 'le***', ${await hashPassword(PASSWORD)}, ${OLD.staffName}, 'admin', ${ids.institution})`);
    await db.execute(sql`
      insert into staff_invitations (id, token_hash, kind, institution_id, username, display_name, role, expires_at)
      values ('inv_legacy', 'hash-legacy', 'institution', ${ids.institution}, 'legacy.new', ${OLD.invitedName}, 'lead_handler', now() + interval '7 days')`);
    await db.execute(sql`
      insert into consumer_identities (account_id, real_name_enc, real_name_masked, id_number_enc, id_number_hash, id_number_masked, birth_date, provider)
      values (${ids.consumer}, ${pii.encrypt(OLD.realName)}, '慕**', ${pii.encrypt(OLD.idNumber)}, ${idHash}, ${`110***********${OLD.idNumber.slice(-4)}`}, '1990-05-15', 'dev')`);
    const contacts = [{ name: OLD.contactName, title: '合规负责人', phoneEnc: pii.encrypt('13755550002'), phoneMasked: '137****0002', email: OLD.contactEmail }];
    await db.execute(sql`
      insert into institution_onboardings (id, token_hash, legal_name, short_name, kind, unified_code, licence_type, licence_number, licence_expires_on, licence_file_key, licence_file_type, contacts, admin_username)
      values ('onb_legacy', 'onb-hash', '旧申请小额贷款有限公司', '旧申请', 'microloan', '91440300MA5LEGACY1', '小贷许可证', 'XD-OLD', '2030-01-01', 'blob_x', 'application/pdf', ${JSON.stringify(contacts)}::jsonb, 'old.admin')`);
    await db.execute(sql`
      insert into outbox_messages (id, channel, recipient_enc, recipient_masked, template, body, status, provider) values
        ('msg_gw', 'sms', ${pii.encrypt(OLD.consumerPhone)}, '136****0001', 'otp.register', ${`【贷超】验证码 ${OLD.code}，用于注册，5 分钟内有效。请勿告诉他人。`}, 'sent', 'http-gateway'),
        ('msg_dev', 'sms', ${pii.encrypt('13655550009')}, '136****0009', 'otp.register', '【贷超】验证码 777111，用于注册，5 分钟内有效。请勿告诉他人。', 'sent', 'outbox')`);
    // a ¥95.00 statement paid ¥1,000,000.00 before overpayments had to be declared: the receivable took it all
    const receivable = `receivable:institution:${ids.institution}`;
    await db.execute(sql`insert into ledger_journals (id, source_key, kind, institution_id) values ('jnl_acc', 'cpa:app_legacy', 'commission_accrual', ${ids.institution}), ('jnl_pay', 'payment:bank:pay_legacy', 'statement_payment', ${ids.institution})`);
    await db.execute(sql`insert into ledger_entries (journal_id, account, amount_fen) values
      ('jnl_acc', ${receivable}, 9500), ('jnl_acc', 'revenue:commission:cpa', -9500),
      ('jnl_pay', 'cash:bank_transfer', 100000000), ('jnl_pay', ${receivable}, -100000000)`);
    await db.execute(sql`insert into statements (id, institution_id, period, status, total_fen, line_count, due_date, closed_at, issued_at, paid_at)
      values (${ids.statement}, ${ids.institution}, '2026-03', 'paid', 9500, 1, '2026-04-15', now(), now(), now())`);
    await db.execute(sql`insert into statement_payments (id, statement_id, institution_id, method, amount_fen, paid_at, reference, source_key, journal_id)
      values ('pay_legacy', ${ids.statement}, ${ids.institution}, 'bank_transfer', 100000000, now(), 'OLD-REF-1', 'payment:bank:pay_legacy', 'jnl_pay')`);
    expect(await everything(db)).toContain(OLD.consumerName);

    // the new release starts on it: migrations, then the data steps, then the app
    t = await startTestApp({ database: handle });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('leaves no name, e-mail, birth date, ID prefix or code in clear, and loses nothing', async () => {
    const db = handle.db;
    const dump = await everything(db);
    for (const clear of [OLD.consumerName, OLD.staffName, OLD.invitedName, OLD.contactName, OLD.contactEmail, '1990-05-15', '110***********', OLD.code, '甲银行员工']) {
      expect(dump, clear).not.toContain(clear);
    }
    expect(dump).toContain('777111'); // the development outbox is the delivery channel: kept whole

    const [consumer] = await queryRows<{ display_name: string | null; display_name_enc: string }>(db, sql`select display_name, display_name_enc from accounts where id = ${ids.consumer}`);
    expect(consumer!.display_name).toBeNull();
    expect(pii.decrypt(consumer!.display_name_enc)).toBe(OLD.consumerName);
    const [invitation] = await queryRows<{ display_name_enc: string }>(db, sql`select display_name_enc from staff_invitations where id = 'inv_legacy'`);
    expect(pii.decrypt(invitation!.display_name_enc)).toBe(OLD.invitedName);
    const [identity] = await queryRows<Record<string, unknown>>(db, sql`select * from consumer_identities where account_id = ${ids.consumer}`);
    expect(identity).not.toHaveProperty('birth_date');
    expect(identity).toMatchObject({ birth_year: 1990, id_number_masked: `**************${OLD.idNumber.slice(-4)}` });
    expect(pii.decrypt(identity!.id_number_enc as string)).toBe(OLD.idNumber);
    const [onboarding] = await queryRows<{ contacts: Record<string, string>[] }>(db, sql`select contacts from institution_onboardings where id = 'onb_legacy'`);
    const contact = onboarding!.contacts[0]!;
    expect(contact).toMatchObject({ nameMasked: '上***', title: '合规负责人', phoneMasked: '137****0002', emailMasked: 'w***@shangguan.example' });
    expect([pii.decrypt(contact.nameEnc!), pii.decrypt(contact.phoneEnc!), pii.decrypt(contact.emailEnc!)]).toEqual([OLD.contactName, '13755550002', OLD.contactEmail]);
    const [gateway] = await queryRows<{ body: string }>(db, sql`select body from outbox_messages where id = 'msg_gw'`);
    expect(gateway!.body).toBe('【贷超】验证码 ******，用于注册，5 分钟内有效。请勿告诉他人。');
  });

  it('the old rows work as before: logins, names, age, search, onboarding review', async () => {
    // the consumer logs in and sees their own name and identity (masked to the last four)
    const consumer = request.agent(t.app);
    await consumer.post('/api/v1/auth/login').send({ phone: OLD.consumerPhone, password: PASSWORD }).expect(200);
    expect((await consumer.get('/account').expect(200)).text).toContain(OLD.consumerName);
    const identity = (await consumer.get('/api/v1/identity').expect(200)).body;
    const age = new Date().getUTCFullYear() - 1990 - (new Date().toISOString().slice(5, 10) < '05-15' ? 1 : 0);
    expect(identity).toMatchObject({ verified: true, realNameMasked: '慕**', idNumberMasked: `**************${OLD.idNumber.slice(-4)}`, age });
    // the staff member logs in under their name; operators find them by part of it, and the consumer masked
    const staff = await staffAgent(t.app, 'partner', 'legacy.admin');
    expect((await staff.get('/partner/').expect(200)).text).toContain(OLD.staffName);
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const found = (await operator.get(`/admin/users?q=${encodeURIComponent('司马')}`).expect(200)).text;
    expect(found).toContain(`data-account-id="${ids.staff}"`);
    expect(found).toContain(OLD.staffName);
    const byPhone = (await operator.get(`/admin/users?q=${OLD.consumerPhone}`).expect(200)).text;
    expect(byPhone).toContain(`data-account-id="${ids.consumer}"`);
    expect(byPhone).toContain('欧***');
    expect(byPhone).not.toContain(OLD.consumerName);
    // the pending invitation still names the invitee to the institution's admin
    expect((await staff.get('/partner/staff').expect(200)).text).toContain(OLD.invitedName);
    // the onboarding request shows its contact masked
    const review = (await operator.get('/admin/onboarding/onb_legacy').expect(200)).text;
    expect(review).toContain('上***');
    expect(review).toContain('w***@shangguan.example');
    expect(review).not.toContain(OLD.contactName);
  });

  it('the old overpayment shows, and the ledger moves it to the institution\'s credit, once', async () => {
    const db = handle.db;
    const detail = await t.container.services.statements.detail(ids.statement);
    expect(detail).toMatchObject({ paidFen: 100_000_000, outstandingFen: 0, overpaidFen: 99_990_500 });
    expect(await accountBalance(db, `receivable:institution:${ids.institution}`)).toBe(0);
    expect(await accountBalance(db, `liability:institution-credit:${ids.institution}`)).toBe(-99_990_500);
  });

  it('running the data steps again changes nothing; new rows are sealed from the start', async () => {
    expect(await runDataSteps(handle.db, pii)).toEqual({ 'seal display names': 0, 'seal onboarding contacts': 0, 'reclassify old overpayments': 0 });
    const fresh = await consumerAgent(t.app, { realName: '东方不败' });
    const rows = await queryRows<{ display_name: string | null; display_name_enc: string }>(handle.db, sql`select display_name, display_name_enc from accounts where id = ${fresh.id}`);
    expect(rows[0]!.display_name).toBeNull();
    expect(pii.decrypt(rows[0]!.display_name_enc)).toBe(`用户${fresh.phone.slice(-4)}`);
    const [identity] = await queryRows<{ id_number_masked: string; birth_year: number }>(handle.db, sql`select id_number_masked, birth_year from consumer_identities where account_id = ${fresh.id}`);
    expect(identity).toEqual({ id_number_masked: `**************${fresh.idNumber.slice(-4)}`, birth_year: Number(fresh.idNumber.slice(6, 10)) });
    expect(await everything(handle.db)).not.toContain(fresh.idNumber.slice(0, 14));
  });
});
