import { WokenByCommit } from '../../jobs/woken-by-commit';
import type { ChannelListener } from '../../adapters/postgres/channel-listener';

/** What the follower needs of the catalogue (CatalogueService). */
export interface FollowedCatalogue {
  syncIfChanged(): Promise<boolean>;
  listenForChanges(onChange: () => void): ChannelListener;
}

/**
 * Keeps this instance's catalogue read model in step with the database as soon as another
 * instance commits a product or institution change: the `catalogue_changed` NOTIFY (a trigger on
 * both tables, delivered at commit) wakes it, and so does every (re)start of the listen, which may
 * have missed some. The `catalogue-sync` ticker stays as the safety net.
 */
export class CatalogueFollower extends WokenByCommit {
  constructor(catalogue: FollowedCatalogue) {
    super({
      listen: (onChange) => catalogue.listenForChanges(onChange),
      run: async () => ((await catalogue.syncIfChanged()) ? 1 : 0),
      notListening: (problem) => `未在等待产品变更通知（${problem}），由每 30 秒的同步兜底`,
      failed: '同步产品变更失败',
    });
  }
}
