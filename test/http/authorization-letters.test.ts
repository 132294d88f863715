import type request from 'supertest';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { apply, applicationInput, consumerAgent, csrfFrom, staffAgent } from '../support/http';
import { pdfText } from '../support/pdf-text';

const pdfBuffer = (res: request.Response, callback: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

type Row = Record<string, unknown>;
const rows = async (t: TestApp, query: ReturnType<typeof sql>) => ((await t.container.database.db.execute(query)) as unknown as { rows: Row[] }).rows;

describe('the 个人信息授权书: each consent becomes a signed, chained document', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('a multi-apply to two institutions yields one letter per consent, signed at the moment of consent, with the fields and the IP', async () => {
    const borrower = await consumerAgent(t.app, { realName: '韩梅梅' });
    const { institutionA, institutionB } = t.fixtures;
    const body = {
      ...applicationInput(institutionA.productId, institutionA.id),
      products: [
        { productId: institutionA.productId, amount: 50000, termMonths: 12 },
        { productId: institutionB.productId, amount: 50000, termMonths: 12 },
      ],
      consents: applicationInput(institutionA.productId, institutionA.id).consents.concat(applicationInput(institutionB.productId, institutionB.id).consents),
    };
    const res = await borrower.agent.post('/api/v1/applications').set('Idempotency-Key', randomUUID()).set('X-Forwarded-For', '198.51.100.23').send(body);
    expect(res.status).toBe(201);
    const consents = await rows(t, sql`select id, institution_id, granted_at, ip, door from consents where consumer_id = ${borrower.id} order by institution_id`);
    expect(consents).toHaveLength(2);
    expect(consents.every((c) => c.door === 'api' && typeof c.ip === 'string' && c.ip !== '')).toBe(true);

    // rendered after the commit: nothing yet, then one per consent; a second run finds nothing to do
    expect((await borrower.agent.get('/api/v1/contracts').expect(200)).body.items).toEqual([]);
    expect(await t.container.services.authorizationLetters.signPending(100)).toBeGreaterThanOrEqual(2);
    expect(await t.container.services.authorizationLetters.signPending(100)).toBe(0);
    expect(await t.container.services.authorizationLetters.pendingCount()).toBe(0);

    const items = (await borrower.agent.get('/api/v1/contracts').expect(200)).body.items as { id: string; kind: string; institution: { id: string } }[];
    expect(items.map((c) => c.kind)).toEqual(['authorization', 'authorization']);
    expect(new Set(items.map((c) => c.institution.id))).toEqual(new Set([institutionA.id, institutionB.id]));

    const letter = items.find((c) => c.institution.id === institutionA.id)!;
    const [stored] = await rows(t, sql`select c.subject_id, c.signed_at, e.ip, e.door, e.sms_confirmed from contracts c join contract_evidence e on e.contract_id = c.id where c.id = ${letter.id}`);
    const consentA = consents.find((c) => c.institution_id === institutionA.id)!;
    expect(stored).toMatchObject({ subject_id: consentA.id, ip: consentA.ip, door: 'api', sms_confirmed: false });
    expect(new Date(stored!.signed_at as string).getTime()).toBe(new Date(consentA.granted_at as string).getTime());

    const pdf = await borrower.agent.get(`/api/v1/contracts/${letter.id}/pdf`).buffer(true).parse(pdfBuffer).expect(200);
    const text = await pdfText(pdf.body as Buffer);
    for (const words of ['个人信息授权书', '韩梅梅', '甲银行股份有限公司', '甲银行信用贷', '身份证号', '月收入', '逐家勾选同意']) expect(text).toContain(words);
    expect(text).not.toContain('乙银行');

    // the institution that received the data holds its own letter, not the other's
    const a = await staffAgent(t.app, 'partner', institutionA.staff);
    await a.get(`/api/partner/v1/contracts/${letter.id}/pdf`).expect(200).expect('Content-Type', 'application/pdf');
    const other = items.find((c) => c.institution.id === institutionB.id)!;
    expect((await a.get(`/api/partner/v1/contracts/${other.id}/pdf`)).status).toBe(404);

    // verification covers the letters like any contract
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    expect((await op.get(`/api/admin/v1/contracts/${letter.id}/verify`).expect(200)).body.ok).toBe(true);

    // 谁有我的数据 links each consent to its letter
    const myData = await borrower.agent.get('/my-data').expect(200);
    expect(myData.text).toContain(`/account/contracts/${letter.id}/pdf`);
    expect(myData.text).not.toContain('《个人信息授权书》生成中');
  });

  it('one letter per consent even when two workers render at once', async () => {
    const borrower = await consumerAgent(t.app);
    await apply(borrower.agent, t.fixtures.institutionA.productId);
    const letters = t.container.services.authorizationLetters;
    const counts = await Promise.all([letters.signPending(5), letters.signPending(5)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    const [{ n }] = (await rows(t, sql`select count(*)::int as n from contracts where kind = 'authorization' and consumer_id = ${borrower.id}`)) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('the consent screen shows each institution’s letter in full before the borrower ticks it', async () => {
    const borrower = await consumerAgent(t.app);
    await borrower.agent.put('/api/v1/profile').send({ city: '杭州', employment: '上班族', monthlyIncome: 12000 }).expect(200);
    const applyPage = await borrower.agent.get(`/apply?products=${t.fixtures.institutionA.productId}`).expect(200);
    const review = await borrower.agent
      .post('/apply/review')
      .type('form')
      .send({ _csrf: csrfFrom(applyPage.text), productId: t.fixtures.institutionA.productId, amount: '50000', termMonths: '12', purpose: '装修', housing: '租房', monthlyDebt: '0', creditSelfAssessment: 'good' });
    expect(review.status).toBe(200);
    expect(review.text).toContain('data-testid="authorization-letter"');
    expect(review.text).toContain('阅读《个人信息授权书》全文（第 1 版）');
    expect(review.text).toContain('被授权机构：甲银行');
    expect(review.text).toContain('仅用于审核本人对&quot;甲银行信用贷&quot;的借款申请');
  });
});
