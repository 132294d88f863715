import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { newPhone, staffAgent } from '../support/http';

/** The words on a page as a person reads them: no tags, no attributes, entities decoded. */
const visibleText = (html: string) =>
  html
    .replace(/<(script|style|title)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/**
 * Operator pages speak Chinese: the outbox, the audit log, the jobs, the statistics range and an
 * institution's page show labels and schedules in words, never the codes the platform stores
 * (`sms`, `otp.register`, `held`, `onboarding.viewed`, cron expressions, `Asia/Shanghai`).
 */
describe('operator pages show words, not codes', () => {
  let t: TestApp;
  let op: ReturnType<typeof request.agent>;

  beforeAll(async () => {
    t = await startTestApp();
    const { notifications, audit } = t.container.services;
    await request(t.app).post('/api/v1/auth/sms-code').send({ phone: newPhone(), purpose: 'register' }).expect(202);
    await notifications.sendSms(newPhone(), 'loan.reminder_3', '【贷超】测试提醒', { sendAfter: new Date(Date.now() + 6 * 3600_000) });
    await audit.recordNow({ kind: 'operator', id: null }, { action: 'onboarding.viewed', objectType: 'onboarding', objectId: 'onb_test' });
    op = await staffAgent(t.app, 'admin', t.fixtures.operator);
  }, 120_000);
  afterAll(() => t?.close());

  it('the outbox names the channel, the message, its state and the provider', async () => {
    const html = (await op.get('/admin/outbox').expect(200)).text;
    const text = visibleText(html);
    expect(text).toContain('短信');
    expect(text).toContain('注册验证码');
    expect(text).toContain('还款提醒（到期前 3 天）');
    expect(text).toContain('暂缓（免打扰时段）');
    expect(text).toContain('仅记录（未接短信网关）');
    for (const code of ['sms', 'otp.register', 'loan.reminder_3', 'held', 'queued', 'sent', 'outbox ']) expect(text).not.toContain(` ${code} `);
    expect(html).toContain('data-status="held"');
  });

  it('the audit log names what was done and to what, and offers the actions by name', async () => {
    const html = (await op.get('/admin/audit').expect(200)).text;
    const text = visibleText(html.replace(/<select[\s\S]*?<\/select>/g, ''));
    expect(text).toContain('查看入驻申请');
    expect(text).toContain('入驻申请');
    expect(text).not.toMatch(/\bonboarding\.viewed\b/);
    expect(html).toMatch(/<option value="onboarding\.viewed" >查看入驻申请<\/option>/);
    // a prefix typed into the address still filters, and is shown as such
    const prefix = (await op.get('/admin/audit').query({ action: 'onboarding.' }).expect(200)).text;
    expect(prefix).toContain('以「onboarding.」开头');
    expect(prefix).toContain('data-action="onboarding.viewed"');
  });

  it('the jobs page says when each job runs, in words', async () => {
    const text = visibleText((await op.get('/admin/jobs').expect(200)).text);
    expect(text).toContain('每 10 分钟');
    expect(text).toContain('每天 00:05');
    expect(text).toContain('每月 1 日 02:00');
    expect(text).not.toMatch(/\*\/\d+ \* \* \* \*|\d+ \d+ \* \* \*/);
    expect(text).not.toMatch(/\bcron\b|\bworker\b/);
    expect(text).not.toContain('applications-expire');
  });

  it('the statistics range and an institution page use words too', async () => {
    const dashboard = visibleText((await op.get('/admin').expect(200)).text);
    expect(dashboard).toContain('按北京时间自然日统计');
    expect(dashboard).not.toContain('Asia/Shanghai');
    const institution = visibleText((await op.get(`/admin/institutions/${t.fixtures.institutionA.id}`).expect(200)).text);
    expect(institution).toContain('甲银行信用贷 已上架');
    expect(institution).toContain('机构管理员');
    expect(institution).not.toMatch(/\blisted\b|\badmin\)/);
  });
});
