import type { TickerDefinition } from '../../jobs/job';
import { listenTicker } from '../../jobs/woken-by-commit';
import { LeadDispatcher } from './lead-dispatcher';
import type { WebhooksService } from './webhooks.service';

export interface WebhookJobsOptions {
  /**
   * Wake the dispatcher when a commit queued a delivery (LISTEN lead_outbox; default true). false:
   * the safety poll alone sends, as the 2 s poll did before (the delivery bench's baseline).
   */
  wakeOnCommit?: boolean;
  /** The safety poll, for notifications missed while no listener was open (default 30 s). */
  safetyPollMs?: number;
  /** Deliveries in flight at once per worker (default 8). */
  concurrency?: number;
}

/**
 * Lead webhook delivery in the worker role (gathered by server/jobs/registry.ts), both tickers
 * driving one LeadDispatcher: `webhooks-listen` opens the commit listener (a second after the worker
 * starts), so a committed application is sent at once, and reports when it cannot listen;
 * `webhooks-deliver` is the safety poll.
 */
export function webhookJobs(webhooks: WebhooksService, options: WebhookJobsOptions = {}): TickerDefinition[] {
  const safetyPollMs = options.safetyPollMs ?? 30_000;
  const dispatcher = new LeadDispatcher(webhooks, { concurrency: options.concurrency, retryTimerMaxMs: safetyPollMs });
  const deliver: TickerDefinition = {
    kind: 'ticker',
    name: 'webhooks-deliver',
    title: '投递到期的线索回调',
    everyMs: safetyPollMs,
    scope: 'worker',
    tick: async ({ signal }) => ({ processed: await dispatcher.poll(signal) }),
  };
  if (options.wakeOnCommit === false) return [deliver];
  const listen: TickerDefinition = listenTicker({ name: 'webhooks-listen', title: '等待新线索提交的通知，提交即投递', scope: 'worker' }, dispatcher);
  return [deliver, listen];
}
