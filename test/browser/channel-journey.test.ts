import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../../server/db/client';
import { shanghaiDate } from '../../server/lib/shanghai-date';
import { applications } from '../../server/modules/applications/applications.schema';
import { startTestApp, type TestApp } from '../support/app';
import { DESKTOP_VIEWPORT, openBrowser, PHONE_VIEWPORT, staffLogin, type BrowserHarness } from '../support/browser';
import { PASSWORD } from '../support/fixtures';
import { newIdNumber, newPhone, staffAgent } from '../support/http';

/**
 * Issue 17 end to end, through the pages people click: an operator onboards a channel with a
 * tracking link, opens a login for its staff and agrees ¥8 per registration and ¥50 per
 * disbursement; a visitor on a phone registers on the link's landing page, verifies, applies to
 * 甲银行信用贷 for ¥50,000 and, once 甲银行 approves, signs the offer; 甲银行 disburses. The
 * scheduled work (postbacks, payables, the BI rollup of today, the month close on the 1st of next
 * month) runs through the services. The channel's staff then see the conversion, their postbacks
 * delivered and the issued statement (¥58.00); the operator opens the channel's ROI in /admin/bi
 * (commission ¥20 + ¥100 + ¥750 less channel cost ¥58 = ¥812.00) and drills into the borrower's
 * application, the name masked. No console error, CSP violation or accessibility finding anywhere.
 */

const CODE = 'jy01';
const SUB = 'spring-7';
const HEADLINE = '春季专享：多家持牌机构比价';
const AMOUNT_YUAN = 50_000;

describe('browser: a channel brings a borrower, is paid for it and sees it; the operator drills from its ROI', { timeout: 180_000 }, () => {
  let t: TestApp;
  let b: BrowserHarness;
  /** the channel's postback receiver: answers 204 and keeps the event names */
  let receiver: http.Server;
  const received: string[] = [];
  let postbackUrl = '';

  let op: Page;
  let visitor: Page;
  let channelId = '';
  let landingUrl = '';
  let oneTimePassword = '';
  let appId = '';
  let statementId = '';
  const phone = newPhone();
  const today = shanghaiDate(new Date());
  const period = today.slice(0, 7);

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push(String(req.headers['x-daichao-event']));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    postbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/postback`;
    t = await startTestApp({ env: { WEBHOOK_ALLOW_LOOPBACK: 'true' } });
    b = await openBrowser(t.app, { purpose: 'the channel journey browser test', shotPrefix: 'channel-journey' });
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  it('1. the operator creates the channel, a tracking link, a login for its staff and the agreement', async () => {
    ({ page: op } = await b.newPage(DESKTOP_VIEWPORT, 'operator'));
    await staffLogin(op, 'admin', t.fixtures.operator, PASSWORD);
    await op.goto('/admin/channels/new');
    const form = op.getByTestId('channel-form');
    await form.locator('input[name=name]').fill('旅程信息流');
    await form.locator('input[name=code]').fill(CODE);
    await form.locator('select[name=type]').selectOption('feed_ads');
    await form.locator('input[name=postbackUrl]').fill(postbackUrl);
    await form.getByRole('button', { name: '保存' }).click();
    await op.getByTestId('postback-secret').waitFor();
    expect(await op.getByTestId('postback-secret').innerText()).toMatch(/chsec_/);

    // opens it from the list
    await op.goto('/admin/channels');
    await Promise.all([op.waitForURL(/\/admin\/channels\/[^/]+$/), op.locator(`tr[data-channel-code="${CODE}"] a`).first().click()]);
    channelId = decodeURIComponent(new URL(op.url()).pathname.split('/').pop()!);
    expect(await op.getByTestId('channel-status').getAttribute('data-status')).toBe('active');

    // the browser checks the sub-ID itself (the field's pattern is a valid expression under the v flag)
    const subId = op.locator('input[name=subId]');
    await subId.fill('春季 1');
    expect(await subId.evaluate((el) => (el as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(true);
    await subId.fill(SUB);
    expect(await subId.evaluate((el) => (el as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(false);
    await op.locator('input[name=label]').fill('春季投放');
    await op.locator('input[name=landingHeadline]').fill(HEADLINE);
    await op.getByRole('button', { name: '创建链接' }).click();
    const row = op.locator(`[data-testid=links] tr[data-sub-id="${SUB}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain(HEADLINE);
    landingUrl = await row.getByTestId('landing-url').innerText();
    expect(new URL(landingUrl).pathname).toBe(`/c/${CODE}/${SUB}`);
    expect(await row.getByTestId('tracking-url').innerText()).toMatch(new RegExp(`\\?ch=${CODE}&sub=${SUB}$`));
    await b.shot(op, '01-channel');

    // a login for the channel's analyst: the one-time password is on the answer
    await op.goto(`/admin/channel-staff?channelId=${encodeURIComponent(channelId)}`);
    const staffForm = op.getByTestId('channel-staff-form');
    await staffForm.locator('input[name=username]').fill('jy.analyst');
    await staffForm.locator('input[name=displayName]').fill('周渠道');
    await staffForm.locator('select[name=role]').selectOption('channel_analyst');
    await staffForm.getByRole('button', { name: '开通并生成一次性密码' }).click();
    oneTimePassword = (await op.getByTestId('one-time-password').innerText()).trim();
    expect(oneTimePassword.length).toBeGreaterThan(10);
    expect(await op.getByTestId('channel-staff').innerText()).toContain('渠道数据员');

    // the agreement: ¥8 per registration, ¥50 per disbursement, from the 1st of this month
    await op.goto(`/admin/channel-payouts/channels/${encodeURIComponent(channelId)}/agreements`);
    const agreement = op.getByTestId('channel-agreement-form');
    await agreement.locator('input[name=registration]').fill('8');
    await agreement.locator('input[name=disbursement]').fill('50');
    await agreement.locator('input[name=effectiveFrom]').fill(`${period}-01`);
    await agreement.getByRole('button', { name: '创建新版本' }).click();
    const v1 = op.locator('[data-testid=channel-agreement-versions] [data-version="1"]');
    await v1.waitFor();
    expect(await v1.innerText()).toContain('注册 每笔 ¥8.00');
    expect(await v1.innerText()).toContain('放款 每笔 ¥50.00');
  });

  it('2. a visitor on a phone registers on the landing page, verifies and applies; the institution approves, she signs, it disburses', async () => {
    expect(landingUrl, 'the landing URL of step 1').not.toBe('');
    ({ page: visitor } = await b.newPage(PHONE_VIEWPORT, 'visitor'));
    const landing = new URL(landingUrl);
    await visitor.goto(`${landing.pathname}?click_id=jy-click-1`);
    expect(await visitor.getByTestId('landing-headline').innerText()).toBe(HEADLINE);
    await b.shot(visitor, '02-landing');
    await visitor.locator('input[name=phone]').fill(phone);
    await visitor.locator('[data-testid=send-code]').click();
    await visitor.locator('.alert.success').waitFor();
    const sms = await t.container.services.notifications.lastSmsTo(phone);
    const code = /验证码 (\d{6})/.exec(sms?.body ?? '')?.[1];
    expect(code, 'the registration code was sent').toMatch(/^\d{6}$/);
    await visitor.locator('input[name=code]').fill(code!);
    await visitor.locator('input[name=password]').fill(PASSWORD);
    await visitor.locator('[data-testid=agree]').check();
    await Promise.all([visitor.waitForURL((u) => u.pathname === '/'), visitor.locator('[data-testid=register-submit]').click()]);

    // applies to 甲银行信用贷: first the real-name verification, then the form and the consent
    const productA = t.fixtures.institutionA.productId;
    await visitor.goto(`/products/${productA}`);
    await Promise.all([visitor.waitForURL((u) => u.pathname === '/verify'), visitor.getByTestId('apply').click()]);
    await visitor.locator('input[name=realName]').fill('王小明');
    await visitor.locator('input[name=idNumber]').fill(newIdNumber());
    await Promise.all([visitor.waitForURL((u) => u.pathname === '/apply'), visitor.locator('main form button[type=submit]').click()]);
    await visitor.locator('input[name=amount]').fill(String(AMOUNT_YUAN));
    await visitor.locator('select[name=termMonths]').selectOption('12');
    await visitor.locator('select[name=purpose]').selectOption('装修');
    await visitor.locator('input[name=city]').fill('上海');
    await visitor.locator('select[name=employment]').selectOption('上班族');
    await visitor.locator('input[name=monthlyIncome]').fill('15000');
    await visitor.locator('select[name=housing]').selectOption('租房');
    await visitor.locator('input[name=monthlyDebt]').fill('0');
    await visitor.locator('select[name=creditSelfAssessment]').selectOption('good');
    await Promise.all([visitor.waitForURL((u) => u.pathname === '/apply/review'), visitor.getByTestId('to-consent').click()]);
    await visitor.locator(`.consent[data-institution-id="${t.fixtures.institutionA.id}"] input[name=consent]`).check();
    await Promise.all([visitor.waitForURL((u) => u.pathname === '/apply/done'), visitor.getByTestId('submit-application').click()]);
    expect(await visitor.locator('main').innerText()).toContain('已提交 1 份申请');
    appId = (await visitor.locator('a[data-application-id]').first().getAttribute('data-application-id'))!;
    expect(appId).toMatch(/^[\w-]+$/);

    // 甲银行 approves with an offer (its API: the page flow is covered by the browser journey test)
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.post(`/api/partner/v1/leads/${appId}/status`).send({ status: 'approved', offeredAmount: AMOUNT_YUAN, offeredTermMonths: 12, offeredApr: 0.12 }).expect(200);

    // she signs the offer with the SMS code on her phone
    await visitor.goto(`/offers/${appId}/sign`);
    await Promise.all([visitor.waitForURL((u) => u.searchParams.get('sent') === '1'), visitor.getByTestId('send-sign-code').click()]);
    const signSms = await t.container.services.notifications.lastSmsTo(phone);
    const signCode = /验证码 (\d{6})，用于签署借款合同/.exec(signSms?.body ?? '')?.[1];
    expect(signCode, 'the signing code was sent').toMatch(/^\d{6}$/);
    await visitor.locator('input[name=code]').fill(signCode!);
    await Promise.all([visitor.waitForURL((u) => u.pathname === `/applications/${appId}`), visitor.getByTestId('sign-submit').click()]);
    expect(await visitor.locator('main h1 .badge').getAttribute('data-status')).toBe('accepted');

    await partner.post(`/api/partner/v1/leads/${appId}/status`).send({ status: 'disbursed', amount: AMOUNT_YUAN }).expect(200);
    await visitor.reload();
    expect(await visitor.locator('main h1 .badge').getAttribute('data-status')).toBe('disbursed');
    await b.shot(visitor, '03-disbursed');
    const [application] = await t.container.database.db.select({ consumerId: applications.consumerId }).from(applications).where(eq(applications.id, appId));
    expect(await t.container.services.channels.attributionOf(application!.consumerId)).toMatchObject({
      channelId,
      subId: SUB,
      clickId: 'jy-click-1',
    });
  });

  it('3. the scheduled work: postbacks posted, payables posted, today rolled up, the month closed and the statement issued', async () => {
    expect(appId, 'the application of step 2').not.toBe('');
    const { channels, channelPayouts, bi } = t.container.services;
    await channels.enqueuePostbacks();
    await channels.deliverPostbacks(20);
    expect([...received].sort()).toEqual(['application', 'approval', 'disbursement', 'registration', 'verified_registration']);

    const run = await channelPayouts.postPayables(new Date(), { from: new Date(`${period}-01T00:00:00+08:00`) });
    expect(run).toMatchObject({ posted: 2, excluded: 0, reversed: 0 });
    await bi.rebuild(today, today);

    // the close runs on the 1st of next month, 02:10 Shanghai time
    const [y, m] = period.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    const closed = await channelPayouts.closeMonth(period, { now: new Date(`${next}-01T02:10:00+08:00`), channelIds: [channelId] });
    expect(closed.created).toHaveLength(1);
    statementId = closed.created[0]!;

    // finance issues it on its page
    await op.goto(`/admin/channel-payouts/statements/${statementId}`);
    expect(await op.getByTestId('total').innerText()).toBe('¥58.00');
    await op.locator('[data-testid=issue-form] input[name=confirm]').check();
    await op.getByRole('button', { name: '出具给渠道' }).click();
    await op.locator('h1 [data-status="issued"]').waitFor();
  });

  it('4. the channel analyst sets a password, sees the conversion, the postbacks and the statement line', async () => {
    expect(statementId, 'the statement of step 3').not.toBe('');
    const { page: ch } = await b.newPage(PHONE_VIEWPORT, 'channel');
    await ch.goto('/channel/login');
    await ch.locator('input[name=username]').fill('jy.analyst');
    await ch.locator('input[name=password]').fill(oneTimePassword);
    await Promise.all([ch.waitForURL((u) => u.pathname === '/channel/security'), ch.locator('main form button[type=submit]').click()]);
    expect(await ch.getByTestId('password-required').isVisible()).toBe(true);
    const pw = ch.getByTestId('password');
    await pw.locator('input[name=currentPassword]').fill(oneTimePassword);
    await pw.locator('input[name=password]').fill('Channel-Jy-2026');
    await pw.locator('input[name=confirm]').fill('Channel-Jy-2026');
    await Promise.all([ch.waitForURL((u) => u.pathname === '/channel'), pw.getByRole('button', { name: '设置密码' }).click()]);

    const kpi = async (name: string) => Number(await ch.locator(`[data-kpi="${name}"]`).innerText());
    expect(await kpi('visits')).toBe(1);
    expect(await kpi('registrations')).toBe(1);
    expect(await kpi('verified')).toBe(1);
    expect(await kpi('applications')).toBe(1);
    expect(await kpi('approvals')).toBe(1);
    expect(await kpi('disbursements')).toBe(1);
    // the page never names the borrower
    expect(await ch.locator('main').innerText()).not.toContain('王');
    await b.shot(ch, '04-channel-funnel');

    await ch.goto('/channel/postbacks');
    const delivered = ch.locator('[data-testid=channel-postbacks] tr[data-status]');
    expect(await delivered.count()).toBe(5);
    expect(new Set(await delivered.evaluateAll((rows) => rows.map((r) => (r as unknown as { getAttribute(n: string): string }).getAttribute('data-status'))))).toEqual(new Set(['delivered']));

    await ch.goto('/channel/statements');
    await Promise.all([ch.waitForURL((u) => u.pathname === `/channel/statements/${statementId}`), ch.locator(`[data-testid=channel-statements] a[href="/channel/statements/${statementId}"]`).click()]);
    expect(await ch.getByTestId('total').innerText()).toBe('¥58.00');
    expect(await ch.locator('h1 [data-status]').getAttribute('data-status')).toBe('issued');
    const lines = ch.locator('[data-testid=statement-lines] tbody tr');
    expect(await lines.count()).toBe(2);
    const text = await ch.getByTestId('statement-lines').innerText();
    expect(text).toContain('¥8.00');
    expect(text).toContain('¥50.00');
    expect(text).toContain(SUB);
    expect(text).not.toContain('王');
    await b.shot(ch, '05-channel-statement');
  });

  it('5. the operator opens the ROI by channel in /admin/bi and drills into the borrower', async () => {
    expect(statementId, 'the statement of step 3').not.toBe('');
    await op.goto('/admin/bi');
    const form = op.getByTestId('bi-form');
    for (const measure of ['registrations', 'commission', 'channelCost', 'roi']) await form.locator(`input[name=measures][value=${measure}]`).check();
    await form.locator('select[name=rows]').selectOption('channel');
    await form.locator('select[name=cols]').selectOption('');
    await form.locator('input[name=from]').fill(today);
    await form.locator('input[name=to]').fill(today);
    await Promise.all([op.waitForURL((u) => u.searchParams.get('rows') === 'channel'), form.getByRole('button', { name: '查询' }).click()]);
    const row = op.locator(`[data-testid=bi-pivot] tbody tr[data-row="${channelId}"]`);
    await row.waitFor();
    expect(await row.locator('a[data-measure=commission]').innerText()).toBe('¥870.00');
    expect(await row.locator('a[data-measure=channelCost]').innerText()).toBe('¥58.00');
    expect(await row.locator('a[data-measure=roi]').innerText()).toBe('¥812.00');
    await b.shot(op, '06-bi');

    await Promise.all([op.waitForURL((u) => u.pathname === '/admin/bi/drill'), row.locator('a[data-measure=roi]').click()]);
    expect(await op.getByTestId('bi-drill-total').innerText()).toBe('1');
    const drilled = op.locator(`[data-testid=bi-drill] tr[data-id="${appId}"]`);
    const line = await drilled.innerText();
    expect(line).toContain('甲银行信用贷');
    expect(line).toContain('¥50,000.00');
    expect(line).toMatch(/王\*+/);
    expect(line).not.toContain('王小明');
    // the look is audited
    const [drills] = await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from audit_log where action = 'bi.drilled'`);
    expect(drills!.n).toBe(1);
    await b.shot(op, '07-bi-drill');
  });

  it('no page showed a problem (console errors, CSP violations, failed loads, accessibility)', async () => {
    expect(await b.settledProblems()).toEqual([]);
  });
});
