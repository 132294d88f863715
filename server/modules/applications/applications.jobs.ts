import type { JobDefinition } from '../../jobs/job';
import type { ApplicationsService } from './applications.service';

/** The applications domain's scheduled work; gathered by server/jobs/registry.ts. */
export function applicationJobs(applications: ApplicationsService): JobDefinition[] {
  return [
    {
      name: 'applications-expire',
      title: '30 天无进展的申请自动过期',
      schedule: '15 * * * *',
      run: async ({ now }) => ({ processed: await applications.expireStale(now) }),
    },
  ];
}
