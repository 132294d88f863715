import type { BackgroundWork } from '../../jobs/job';
import type { ChannelPayoutsService } from './channel-payouts.service';

/**
 * The channel payouts' scheduled work, gathered by server/jobs/registry.ts:
 * - `channel-payables` (ticker, worker role, every minute): posts payables of new conversions and
 *   commission accruals (re-reading a trailing day), excludes invalid traffic with evidence,
 *   reverses invalidated payables within their window;
 * - `channel-statements-close` (monthly, 02:10 on the 1st, Asia/Shanghai): ten minutes after the
 *   institutions' `statements-close`, the same month closed into one statement per channel. It
 *   first runs a payables pass as of the close, so the month's last events are on the statement.
 */
export function channelPayoutJobs(payouts: ChannelPayoutsService): BackgroundWork[] {
  return [
    {
      kind: 'ticker',
      name: 'channel-payables',
      title: '渠道费用：按渠道协议记应付、排除无效流量、冲回',
      everyMs: 60_000,
      scope: 'worker',
      tick: async ({ now, signal }) => {
        const run = await payouts.postPayables(now, { signal });
        return { processed: run.posted + run.excluded + run.reversed };
      },
    },
    {
      name: 'channel-statements-close',
      title: '月结：按渠道生成上月渠道结算单（在机构月结之后）',
      schedule: '10 2 1 * *',
      run: async ({ now, signal }) => {
        await payouts.postPayables(now, { signal });
        const result = await payouts.closePrevious(now, signal);
        return { processed: result.created.length, detail: { period: result.period, created: result.created.length, existing: result.existing.length, empty: result.empty } };
      },
    },
  ];
}
