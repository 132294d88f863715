import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCron, cronMatches } from '../../server/jobs/cron';
import { outboxMessages } from '../../server/modules/notifications/notifications.schema';
import { withTransaction } from '../../server/lib/tx';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, staffAgent } from '../support/http';

const at = (local: string) => new Date(`${local}+08:00`);
type Consumer = Awaited<ReturnType<typeof consumerAgent>>;

/**
 * A whole Saturday, 21 February 2026 (Asia/Shanghai), on a controlled clock: every instant the
 * loan-reminders (hourly), loan-overdue (:30) and sms-release-held (every 5 minutes) jobs are due
 * is run through the scheduler, in order. The reminder and overdue jobs first run just after
 * midnight, inside everyone's quiet hours, so their SMS are held; none leaves before the quiet
 * hours end, each leaves once after, in the order generated; one whose recipient turned SMS off
 * meanwhile is cancelled, visibly, and never sent.
 */
describe.each(databaseTargets())('held SMS over a whole day on $name', (target) => {
  let t: TestApp;
  const people: Record<'early' | 'overdue' | 'optsOut' | 'lateRiser' | 'movesQuiet', Consumer> = {} as never;
  let legacyId: string;

  async function loanFor(c: Consumer, disbursedAt: Date): Promise<void> {
    const application = await apply(c.agent, t.fixtures.institutionA.productId);
    const app = await t.container.services.applications.getForConsumer(c.id, application.id);
    await withTransaction(t.container.database.db, (tx) =>
      t.container.services.loans.createFromDisbursement(tx, { ...app, offeredTermMonths: null, offeredApr: null }, 5_000_000, disbursedAt),
    );
  }

  const loanSms = async () => {
    const ids = Object.values(people).map((p) => p.id);
    const rows = await t.container.database.db.select().from(outboxMessages).where(inArray(outboxMessages.accountId, ids));
    const who = (accountId: string | null) => Object.entries(people).find(([, p]) => p.id === accountId)![0];
    return rows.filter((r) => r.template.startsWith('loan.')).map((r) => ({ ...r, who: who(r.accountId) }));
  };

  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
    for (const key of ['early', 'overdue', 'optsOut', 'lateRiser', 'movesQuiet'] as const) people[key] = await consumerAgent(t.app);
    // instalments due 28 February (the 7-day reminder falls on the 21st), one due on the 20th (1 day overdue on the 21st)
    for (const key of ['early', 'optsOut', 'lateRiser', 'movesQuiet'] as const) await loanFor(people[key], at('2026-01-28T12:00:00'));
    await loanFor(people.overdue, at('2026-01-20T12:00:00'));
    await t.container.services.accounts.saveContactPreferences(people.lateRiser.id, { allowSms: true, allowCall: true, quietStart: '23:00', quietEnd: '09:30' });
    // a message held two days earlier, before this job existed (no account recorded), whose release never came: too late to send now
    legacyId = await t.container.services.notifications.sendSms(people.early.phone, 'loan.reminder_1', '【贷超】旧的提醒', { sendAfter: at('2026-02-19T08:00:00'), now: at('2026-02-19T00:10:00') });
  }, 180_000);
  afterAll(() => t?.close());

  it('holds what the midnight runs generate, sends each once when the quiet hours end, and cancels what the recipient stopped', { timeout: 300_000 }, async () => {
    const { scheduler, accounts } = t.container.services;
    const jobs = ['loan-reminders', 'loan-overdue', 'sms-release-held'].map((name) => {
      const job = scheduler.definitions.find((j) => j.name === name)!;
      return { name, cron: compileCron(job.schedule) };
    });
    expect(jobs[2]!.cron.expression).toBe('*/5 * * * *');

    const sentBy = new Map<string, number>();
    let released = 0;
    for (let minute = 0; minute < 24 * 60; minute++) {
      const now = new Date(at('2026-02-21T00:00:00').getTime() + minute * 60_000);
      const hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
      // meanwhile: one recipient turns SMS off at 03:00, another moves the end of their quiet hours to 10:00 at 06:00
      if (hhmm === '03:00') await accounts.saveContactPreferences(people.optsOut.id, { allowSms: false, allowCall: true, quietStart: '22:00', quietEnd: '08:00' });
      if (hhmm === '06:00') await accounts.saveContactPreferences(people.movesQuiet.id, { allowSms: true, allowCall: true, quietStart: '22:00', quietEnd: '10:00' });
      const due = jobs.filter((job) => cronMatches(job.cron, now));
      if (due.length === 0) continue; // no job is due this minute: nothing can change
      for (const job of due) {
        const result = await scheduler.runInstant(job.name, now, 'schedule');
        expect(result.status, `${job.name} at ${hhmm}`).toBe('ran');
        expect(result.run?.outcome, `${job.name} at ${hhmm}: ${result.run?.error}`).toBe('succeeded');
        if (job.name === 'sms-release-held') released += Number((result.run!.detail as { sent: number }).sent);
      }
      const sms = await loanSms();
      for (const m of sms.filter((r) => r.status === 'sent' && !sentBy.has(r.id))) sentBy.set(m.id, minute);

      if (hhmm === '00:30') {
        // both midnight runs have generated; everything is held until the end of each person's quiet hours
        expect(sms.map((m) => [m.who, m.template, m.status, m.sendAfter.toISOString()]).sort()).toEqual(
          [
            ['early', 'loan.reminder_7', 'held', at('2026-02-21T08:00:00').toISOString()],
            ['lateRiser', 'loan.reminder_7', 'held', at('2026-02-21T09:30:00').toISOString()],
            ['movesQuiet', 'loan.reminder_7', 'held', at('2026-02-21T08:00:00').toISOString()],
            ['optsOut', 'loan.reminder_7', 'held', at('2026-02-21T08:00:00').toISOString()],
            ['overdue', 'loan.overdue', 'held', at('2026-02-21T08:00:00').toISOString()],
          ].sort(),
        );
      }
      if (minute < 8 * 60) expect(sentBy.size, `sent before the quiet hours ended (${hhmm})`).toBe(0);
    }

    const sms = await loanSms();
    const byWho = (who: string, template = 'loan.reminder_7') => sms.find((m) => m.who === who && m.template === template)!;
    // sent once each, when their own quiet hours ended
    expect(released).toBe(4);
    expect(sentBy.get(byWho('early').id)).toBe(8 * 60);
    expect(sentBy.get(byWho('overdue', 'loan.overdue').id)).toBe(8 * 60);
    expect(sentBy.get(byWho('lateRiser').id)).toBe(9 * 60 + 30);
    expect(sentBy.get(byWho('movesQuiet').id)).toBe(10 * 60);
    expect(byWho('early').sentAt?.toISOString()).toBe(at('2026-02-21T08:00:00').toISOString());
    // in the order generated: the reminders (00:00) before the overdue notice (00:30)
    expect(byWho('early').createdAt.getTime()).toBeLessThan(byWho('overdue', 'loan.overdue').createdAt.getTime());
    // the one who turned SMS off: cancelled, visibly, never sent; the two-day-old one expired
    expect(byWho('optsOut')).toMatchObject({ status: 'cancelled', cancelReason: 'sms_off', sentAt: null });
    const [legacy] = await t.container.database.db.select().from(outboxMessages).where(eq(outboxMessages.id, legacyId));
    expect(legacy).toMatchObject({ status: 'cancelled', cancelReason: 'expired', sentAt: null });
    expect(sms.filter((m) => m.status === 'held')).toEqual([]);

    // the same instant again changes nothing: the run is recorded once, and the work itself is idempotent
    expect((await scheduler.runInstant('sms-release-held', at('2026-02-21T08:00:00'), 'schedule')).status).toBe('done');
    const job = scheduler.definitions.find((j) => j.name === 'sms-release-held')!;
    expect(await job.run({ now: at('2026-02-21T10:00:00'), signal: new AbortController().signal })).toMatchObject({ processed: 0 });

    // operators see the statuses in Chinese, with the reason
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const outbox = (await operator.get('/admin/outbox').expect(200)).text;
    expect(outbox).toContain('已取消：用户已关闭短信通知');
    expect(outbox).toContain('已取消：静默时段结束后 24 小时内未能发出，已作废');
    expect(outbox).toContain('已发送');
    expect(outbox).not.toMatch(/<td[^>]*>(held|sent|cancelled)</);
  });
});
