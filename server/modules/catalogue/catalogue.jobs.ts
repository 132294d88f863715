import type { TickerDefinition } from '../../jobs/job';
import { listenTicker } from '../../jobs/woken-by-commit';
import { CatalogueFollower } from './catalogue-follower';
import type { CatalogueService } from './catalogue.service';

/**
 * other instances change products too: a commit's NOTIFY wakes each instance at once
 * (catalogue-listen); should a notification be missed, each picks the change up within this
 */
const SYNC_CHECK_MS = 30_000;
const STATS_REFRESH_MS = 5 * 60_000;

/** The catalogue's background work (its in-memory read model, in every instance); gathered by server/jobs/registry.ts. */
export function catalogueJobs(catalogue: CatalogueService): TickerDefinition[] {
  const follower = new CatalogueFollower(catalogue);
  return [
    listenTicker({ name: 'catalogue-listen', title: '等待产品变更通知，其他实例的修改即时同步', scope: 'instance' }, follower),
    {
      kind: 'ticker',
      name: 'catalogue-sync',
      title: '同步其他实例对产品的修改',
      everyMs: SYNC_CHECK_MS,
      scope: 'instance',
      tick: async () => ({ processed: (await catalogue.syncIfChanged()) ? 1 : 0 }),
    },
    {
      kind: 'ticker',
      name: 'catalogue-stats',
      title: '刷新产品统计（通过率等排序信号）',
      everyMs: STATS_REFRESH_MS,
      scope: 'instance',
      tick: async () => {
        await catalogue.refreshStats();
        return { processed: 1 };
      },
    },
  ];
}
