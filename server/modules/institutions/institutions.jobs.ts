import type { JobDefinition } from '../../jobs/job';
import type { LicencesService } from './licences.service';

/** The institutions domain's scheduled work; gathered by server/jobs/registry.ts. */
export function institutionJobs(licences: LicencesService): JobDefinition[] {
  return [
    {
      name: 'licences-check',
      title: '机构牌照到期提醒与到期暂停产品',
      schedule: '5 0 * * *',
      run: async ({ now }) => {
        const result = await licences.enforce(now);
        return { processed: result.warned.length + result.lapsed.length, detail: result };
      },
    },
  ];
}
