import type { BackgroundWork } from '../../jobs/job';
import type { ApplicationsService } from './applications.service';
import { LETTERS_PER_TICK, type AuthorizationLetters } from './authorization-letters';
import type { OffersService } from './offers.service';

/** The applications domain's scheduled work; gathered by server/jobs/registry.ts. */
export function applicationJobs(applications: ApplicationsService, offers: OffersService, letters: AuthorizationLetters): BackgroundWork[] {
  return [
    {
      kind: 'ticker',
      name: 'application-counts-fold',
      title: '合并申请状态计数的增量行（概览页的状态统计）',
      everyMs: 60_000,
      scope: 'worker',
      tick: async () => ({ processed: await applications.foldStatusCounts() }),
    },
    {
      name: 'applications-expire',
      title: '30 天无进展的申请自动过期',
      schedule: '15 * * * *',
      run: async ({ now }) => ({ processed: await applications.expireStale(now) }),
    },
    {
      name: 'offers-expire',
      title: '超过有效期未确认的报价自动过期',
      schedule: '*/10 * * * *',
      run: async ({ now }) => ({ processed: await offers.expireDue(now) }),
    },
    {
      kind: 'ticker',
      name: 'authorization-letters',
      title: '把借款人的逐家授权生成《个人信息授权书》并签署存证',
      everyMs: 5_000,
      scope: 'worker',
      tick: async () => {
        const processed = await letters.signPending();
        return { processed, again: processed === LETTERS_PER_TICK };
      },
    },
  ];
}
