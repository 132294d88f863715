import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../db/client';
import { TestClock } from '../../lib/clock';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { BI_NOW, D, seedBi } from '../../../test/support/bi';
import { AnalyticsRepository } from './analytics.repository';
import type { AnalyticsService } from './analytics.service';
import { parseDateRange } from './date-range';

let t: TestApp;
let db: Database;
let analytics: AnalyticsService;
let institutions: string[];
const range = () => parseDateRange({ from: D(1), to: D(20) }, BI_NOW);

beforeAll(async () => {
  t = await startTestApp({ clock: new TestClock(BI_NOW) });
  db = t.container.database.db;
  analytics = t.container.services.analytics;
  await seedBi(t.container, t.fixtures);
  institutions = (await queryRows<{ id: string }>(db, sql`select id from institutions order by id`)).map((r) => r.id);
});
afterAll(() => t?.close());

describe('statistics from the rollups', () => {
  it('splits a period at the Shanghai midnight up to which the rollups are complete', async () => {
    const repo = new AnalyticsRepository(db);
    await db.execute(sql`delete from bi_rollup_days`);
    await db.execute(sql`delete from funnel_rollup_days`);
    expect((await repo.split(range(), BI_NOW)).rolled).toBeNull();
    // days rebuilt after they were over are complete; today (the 20th) never is
    await t.container.services.bi.rebuild(D(1), D(20), BI_NOW);
    const split = await repo.split(range(), BI_NOW);
    expect([split.rolled?.from, split.rolled?.to, split.live.map((l) => [l.from, l.to])]).toEqual([D(1), D(19), [[D(20), D(20)]]]);
    expect(split.live[0]?.start.toISOString()).toBe('2026-03-19T16:00:00.000Z');
    // a day rebuilt before its end (the ticker's last run that day) is read from the raw rows, with the days on its shorter side
    await db.execute(sql`update bi_rollup_days set refreshed_at = '2026-03-06T15:55:00Z' where day = '2026-03-06'`);
    const partial = await repo.split(range(), BI_NOW);
    expect([partial.rolled?.from, partial.rolled?.to, partial.live.map((l) => [l.from, l.to])]).toEqual([D(7), D(19), [[D(1), D(6)], [D(20), D(20)]]]);
    expect(await analytics.operatorDashboard(range())).toEqual(await (async () => {
      await db.execute(sql`delete from bi_rollup_days`);
      await db.execute(sql`delete from funnel_rollup_days`);
      return analytics.operatorDashboard(range());
    })());
  });

  it('gives the dashboard and every institution the same figures as the raw rows', async () => {
    await db.execute(sql`delete from bi_rollup_days`);
    await db.execute(sql`delete from funnel_rollup_days`);
    const rawDashboard = await analytics.operatorDashboard(range());
    const rawStats = await Promise.all(institutions.map((id) => analytics.institutionStatistics(id, range())));
    await t.container.services.bi.rebuild(D(1), D(20), BI_NOW);
    expect((await new AnalyticsRepository(db).split(range(), BI_NOW)).rolled?.to).toBe(D(19));
    expect(await analytics.operatorDashboard(range())).toEqual(rawDashboard);
    expect(await Promise.all(institutions.map((id) => analytics.institutionStatistics(id, range())))).toEqual(rawStats);
    // the seed has something on the rolled-up days, so the comparison compares figures, not zeros
    expect(rawDashboard.totals.applications).toBeGreaterThan(0);
    expect(rawDashboard.totals.commissionFen).toBeGreaterThan(0);
    expect(rawDashboard.totals.activeUsers).toBeGreaterThan(0);
  });
});
