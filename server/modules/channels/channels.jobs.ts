import type { TickerDefinition } from '../../jobs/job';
import type { ChannelsService } from './channels.service';

const DELIVERY_BATCH = 20;

/**
 * Channel postbacks in the worker role: new conversions are queued every `enqueueEveryMs`
 * (default 30 s; each run re-reads a trailing window, inserts are idempotent), due postbacks are
 * posted every `deliverEveryMs` (default 5 s; at once again after a full batch). Gathered by
 * server/jobs/registry.ts.
 */
export function channelJobs(channels: ChannelsService, options: { enqueueEveryMs?: number; deliverEveryMs?: number } = {}): TickerDefinition[] {
  return [
    {
      kind: 'ticker',
      name: 'channel-postbacks-enqueue',
      title: '把渠道用户的新转化加入回传队列',
      everyMs: options.enqueueEveryMs ?? 30_000,
      scope: 'worker',
      tick: async () => ({ processed: await channels.enqueuePostbacks() }),
    },
    {
      kind: 'ticker',
      name: 'channel-postbacks-deliver',
      title: '投递到期的渠道转化回传',
      everyMs: options.deliverEveryMs ?? 5_000,
      scope: 'worker',
      tick: async () => {
        const result = await channels.deliverPostbacks(DELIVERY_BATCH);
        return { processed: result.attempted, again: result.attempted >= DELIVERY_BATCH };
      },
    },
  ];
}
