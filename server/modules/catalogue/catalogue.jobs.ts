import type { TickerDefinition } from '../../jobs/job';
import type { CatalogueService } from './catalogue.service';

/** other instances change products too: each instance picks their changes up within this */
const SYNC_CHECK_MS = 30_000;
const STATS_REFRESH_MS = 5 * 60_000;

/** The catalogue's background work (its in-memory read model, in every instance); gathered by server/jobs/registry.ts. */
export function catalogueJobs(catalogue: CatalogueService): TickerDefinition[] {
  return [
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
