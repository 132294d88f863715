import type { JobDefinition } from '../../jobs/job';
import type { ApplicationsService } from './applications.service';
import type { OffersService } from './offers.service';

/** The applications domain's scheduled work; gathered by server/jobs/registry.ts. */
export function applicationJobs(applications: ApplicationsService, offers: OffersService): JobDefinition[] {
  return [
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
  ];
}
