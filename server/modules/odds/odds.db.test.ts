import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { apply, consumerAgent } from '../../../test/support/http';
import { withTransaction } from '../../lib/tx';
import { MIN_FIT_DECISIONS, OddsService, generateDemoHistory, withRecordsBefore } from './index';

const DAY = 24 * 3600_000;

describe('OddsService on PGlite: decided applications → stored model → odds', () => {
  let t: TestApp;
  let consumerId: string;
  let applicationId: string;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('with no decided applications keeps no model: every product 数据不足 (the prior)', async () => {
    const { odds, catalogue } = t.container.services;
    const r = await odds.refit('job');
    expect(r).toEqual({ status: 'too_few', decisions: 0, needed: MIN_FIT_DECISIONS });
    expect(await odds.current()).toBeNull();
    const consumer = await consumerAgent(t.app);
    consumerId = consumer.id;
    const all = await odds.forBorrower(consumerId, catalogue.allListed());
    expect([...all.values()].map((o) => [o.band, o.basis])).toEqual([
      ['数据不足', 'prior'],
      ['数据不足', 'prior'],
    ]);
    // an application decided on the platform: the facts at submission are recorded and it becomes a decision
    applicationId = (await apply(consumer.agent, t.fixtures.institutionA.productId)).id;
    await t.container.services.applications.changeStatusByInstitution(
      t.fixtures.institutionA.id,
      applicationId,
      { status: 'rejected', reason: 'income' },
      { kind: 'institution', id: 'test' },
    );
    const decisions = await odds.decisions();
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ id: applicationId, productId: t.fixtures.institutionA.productId, approved: false, institution: { approved: 0, decided: 0 } });
  });

  it('fits on thousands of decisions, beats the base rate on the held-out ones, stores the model and reloads it', async () => {
    const { odds, catalogue } = t.container.services;
    const rows = generateDemoHistory(catalogue.allListed(), { now: new Date(), seed: 7, count: 3000 });
    expect(rows).toHaveLength(3000);
    expect(await odds.importHistory(rows)).toBe(3000);
    expect(await odds.importHistory(rows.slice(0, 10))).toBe(0);
    expect(await odds.historyCount()).toBe(3000);
    const r = await odds.refit('job');
    if (r.status !== 'fitted') throw new Error(`not fitted: ${JSON.stringify(r)}`);
    expect(r.decisions).toBe(3001);
    expect(r.heldOut).toBeGreaterThan(450);
    expect(r.brier).toBeLessThan(r.brierBaseRate);
    expect(r.logLoss).toBeLessThan(r.logLossBaseRate);
    expect(r.ece).toBeLessThan(0.08);

    const model = await odds.current();
    expect(model).not.toBeNull();
    // another instance (a fresh service on the same database) loads the same stored model
    const other = new OddsService({ db: t.container.database.db, clock: { now: () => new Date() }, accounts: t.container.services.accounts, identity: t.container.services.identity });
    expect((await other.current())?.coefficients).toEqual(model!.coefficients);
    expect(await other.syncIfChanged()).toBe(false);

    // the same data again: nothing changes
    expect(await odds.refit('job')).toMatchObject({ status: 'unchanged', id: r.id });
    expect(await odds.recentFits()).toHaveLength(1);

    // the borrower's odds now rest on the model
    const all = await odds.forBorrower(consumerId, catalogue.allListed());
    for (const o of all.values()) {
      expect(o.basis).toBe('model');
      expect(['高', '中', '低']).toContain(o.band);
      expect(o.low).toBeLessThanOrEqual(o.probability!);
      expect(o.high).toBeGreaterThanOrEqual(o.probability!);
      expect(o.decisions).toBeGreaterThan(1000);
    }
  });

  it('the facts recorded at submission go with the account on erasure: the decision leaves the data', async () => {
    const { odds } = t.container.services;
    expect((await odds.decisions()).some((d) => d.id === applicationId)).toBe(true);
    await withTransaction(t.container.database.db, (tx) => odds.eraseFacts(tx, consumerId));
    const left = await odds.decisions();
    expect(left.some((d) => d.id === applicationId)).toBe(false);
    expect(left).toHaveLength(3000);
  });

  it('the institution record of a decision is the 90 days before it, without its own outcome', () => {
    const base = { productId: 'p', institutionId: 'i', amountFen: 1, creditScore: null, monthlyIncomeFen: null, monthlyDebtFen: null, employment: null, minAmountFen: 1, maxAmountFen: 2, minMonthlyIncomeFen: 0 };
    const t0 = Date.UTC(2026, 0, 1);
    const out = withRecordsBefore([
      { ...base, id: 'a', approved: true, decidedAt: new Date(t0) },
      { ...base, id: 'b', approved: false, decidedAt: new Date(t0 + DAY) },
      { ...base, id: 'x', institutionId: 'j', approved: true, decidedAt: new Date(t0 + 2 * DAY) },
      { ...base, id: 'c', approved: true, decidedAt: new Date(t0 + 90 * DAY + 1) },
    ]);
    expect(out.map((d) => [d.id, d.institution])).toEqual([
      ['a', { approved: 0, decided: 0 }],
      ['b', { approved: 1, decided: 1 }],
      ['x', { approved: 0, decided: 0 }],
      ['c', { approved: 0, decided: 1 }],
    ]);
  });
});
