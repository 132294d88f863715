import type { TickerDefinition } from '../../jobs/job';
import type { WebhooksService } from './webhooks.service';

const DELIVERY_BATCH = 20;

/**
 * Lead webhook delivery in the worker role: due deliveries every `everyMs` (default 2 s), at once
 * again after a full batch. Gathered by server/jobs/registry.ts.
 */
export function webhookJobs(webhooks: WebhooksService, everyMs = 2_000): TickerDefinition[] {
  return [
    {
      kind: 'ticker',
      name: 'webhooks-deliver',
      title: '投递到期的线索回调',
      everyMs,
      scope: 'worker',
      tick: async () => {
        const result = await webhooks.deliverDue(DELIVERY_BATCH);
        return { processed: result.attempted, again: result.attempted >= DELIVERY_BATCH };
      },
    },
  ];
}
