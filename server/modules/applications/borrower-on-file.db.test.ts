import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { consumerAgent } from '../../../test/support/http';
import { consumerProfileOf } from '../accounts';
import { ApplicationsRepository } from './applications.repository';

describe('ApplicationsRepository.submissionFacts: the one read a submission makes before its transaction', () => {
  let t: TestApp;
  let repo: ApplicationsRepository;
  beforeAll(async () => {
    t = await startTestApp();
    repo = new ApplicationsRepository(t.container.database.db);
  });
  afterAll(() => t?.close());

  /** What the four reads of the owning modules say, and what the one read says once its rows are opened. */
  async function bothWays(accountId: string) {
    const { identity, accounts, credit } = t.container.services;
    const [release, profile, creditScore, phone] = await Promise.all([identity.forRelease(accountId), accounts.profile(accountId), credit.latestScore(accountId), accounts.phoneOf(accountId)]);
    const one = (await repo.submissionFacts(accountId, { productIds: [], institutionIds: [] }))!;
    const opened = identity.releaseFrom(accountId, one.identity);
    return {
      separate: { summary: release.summary, revealed: release.reveal?.('test').realName, profile, creditScore, phone },
      together: { summary: opened.summary, revealed: opened.reveal?.('test').realName, profile: consumerProfileOf(one.profile), creditScore: one.creditScore, phone: accounts.phoneFromLogin(one.loginEnc) },
    };
  }

  it('a new borrower: not verified, no credit assessment; the same as the separate reads', async () => {
    const fresh = await consumerAgent(t.app, { verified: false });
    const { separate, together } = await bothWays(fresh.id);
    expect(together).toEqual(separate);
    expect(together).toMatchObject({ summary: { verified: false }, revealed: undefined, creditScore: null, phone: fresh.phone });
  });

  it('a verified borrower with a profile and two assessments: the identity, the profile and the latest score', async () => {
    const who = await consumerAgent(t.app, { realName: '李小红' });
    await who.agent.put('/api/v1/profile').send({ monthlyIncome: 12000, city: '杭州' }).expect(200);
    const db = t.container.database.db;
    await db.execute(sql`insert into credit_assessments (id, account_id, score, band, source, answers_enc, created_at) values
      ('ca_old', ${who.id}, 610, 'fair', 'self_reported', 'x', now() - interval '2 days'),
      ('ca_new', ${who.id}, 720, 'good', 'self_reported', 'x', now() - interval '1 day')`);
    const { separate, together } = await bothWays(who.id);
    expect(together).toEqual(separate);
    expect(together).toMatchObject({ summary: { verified: true }, revealed: '李小红', creditScore: 720, phone: who.phone, profile: { city: '杭州', monthlyIncomeFen: 1_200_000 } });
  });

  it('no such account: undefined', async () => {
    expect(await repo.submissionFacts('acc_missing', { productIds: [], institutionIds: [] })).toBeUndefined();
  });

  it('of the products applied for, those still listed, and the active pre-screen rules of their institutions, as their modules read them', async () => {
    const who = await consumerAgent(t.app);
    const { institutionA: a, institutionB: b } = t.fixtures;
    const db = t.container.database.db;
    const actor = { kind: 'institution' as const, id: 'test' };
    const { prescreen } = t.container.services;
    const kept = await prescreen.create(a.id, { name: '低收入拒绝', field: 'monthlyIncome', operator: '<', value: '5000', action: 'decline', rejectReason: 'income', priority: 1 }, actor);
    const paused = await prescreen.create(a.id, { name: '高信用快速通道', field: 'creditScore', operator: '>=', value: '750', action: 'fast_queue', rejectReason: null, priority: 2 }, actor);
    await prescreen.setActive(a.id, paused.id, false);
    await prescreen.create(b.id, { name: '年龄', field: 'age', operator: '<', value: '20', action: 'manual', rejectReason: null, priority: 1 }, actor);
    await db.execute(sql`update products set status = 'paused' where id = ${b.productId}`);
    try {
      const facts = (await repo.submissionFacts(who.id, { productIds: [a.productId, b.productId, 'prd_missing'], institutionIds: [a.id] }))!;
      expect(facts.listedIds).toEqual(new Set([a.productId]));
      const active = (await prescreen.list(a.id)).filter((r) => r.active);
      expect(facts.rules).toEqual(active);
      expect(facts.rules.map((r) => r.id)).toEqual([kept.id]);
      expect(facts.rules[0]!.createdAt).toBeInstanceOf(Date);
      const none = (await repo.submissionFacts(who.id, { productIds: [], institutionIds: [] }))!;
      expect(none).toMatchObject({ listedIds: new Set(), rules: [] });
    } finally {
      await db.execute(sql`update products set status = 'listed' where id = ${b.productId}`);
    }
  });
});
