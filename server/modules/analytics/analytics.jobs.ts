import type { BackgroundWork } from '../../jobs/job';
import { shanghaiDate } from '../../lib/shanghai-date';
import { shiftDay } from './bi-model';
import type { BiService } from './bi.service';

/** Past days the nightly run rebuilds (late events: decisions, repayments and reversals recorded after the day). */
export const NIGHTLY_REBUILD_DAYS = 7;
/** How often today's rollup is rebuilt. */
export const TODAY_EVERY_MS = 5 * 60_000;

/**
 * The analytics domain's scheduled work; gathered by server/jobs/registry.ts. The rollup's refresh
 * lag: today's figures at most 5 minutes old (the ticker), past days rebuilt nightly at 01:10 for
 * the last 7 days (and on demand by an operator for any range); past days of the last 90 never
 * rolled up (a first start) are filled by the ticker, 10 per tick; alerts are evaluated at 01:40 for
 * the day before, after the rollup.
 */
export function analyticsJobs(bi: BiService): BackgroundWork[] {
  return [
    {
      name: 'bi-rollup',
      title: '重建 BI 汇总数据（过去 7 天）',
      schedule: '10 1 * * *',
      run: async ({ now, signal }) => {
        const today = shanghaiDate(now);
        const result = await bi.rebuild(shiftDay(today, -NIGHTLY_REBUILD_DAYS), shiftDay(today, -1), now, signal);
        return { processed: result.days, detail: { ...result } };
      },
    },
    {
      kind: 'ticker',
      name: 'bi-rollup-today',
      title: '刷新今天的 BI 汇总数据',
      everyMs: TODAY_EVERY_MS,
      scope: 'worker',
      tick: async ({ now, signal }) => {
        const today = shanghaiDate(now);
        const result = await bi.rebuild(today, today, now, signal);
        // past days never rolled up (a first start): a few per tick, the next tick at once while more are missing
        const filled = await bi.fillMissing(now);
        return { processed: result.rows + filled.rows, again: filled.more };
      },
    },
    {
      name: 'bi-alerts',
      title: '评估 BI 经营预警（前一天）',
      schedule: '40 1 * * *',
      run: async ({ now }) => {
        const result = await bi.evaluateAlerts(shiftDay(shanghaiDate(now), -1), now);
        return { processed: result.fired, detail: { ...result } };
      },
    },
  ];
}
