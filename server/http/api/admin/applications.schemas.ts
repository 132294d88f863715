import { z } from 'zod';
import { applicationStatuses } from '../../../modules/applications';
import { applicationResponse, journalResponse } from '../responses';

/** Operators' view of every application. */

export const statusFilterQuery = z.strictObject({
  status: z.enum(applicationStatuses, { error: '未知的状态' }).optional(),
  institutionId: z.string().max(40).optional(),
});

/** `GET /applications/:id`: the application with the commission journals it posted. */
export const applicationWithCommissionsResponse = applicationResponse.extend({ commissions: z.array(journalResponse) });
