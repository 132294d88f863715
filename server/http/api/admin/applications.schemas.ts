import { z } from 'zod';
import { applicationStatuses } from '../../../modules/applications';

/** Operators' view of every application. */

export const statusFilterQuery = z.strictObject({
  status: z.enum(applicationStatuses, { error: '未知的状态' }).optional(),
  institutionId: z.string().max(40).optional(),
});
