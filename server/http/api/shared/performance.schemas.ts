import { z } from 'zod';

/** Staff performance answers (amounts in yuan: the `…Fen` fields become yuan numbers without the suffix). */
const yuan = z.number().describe('yuan, two decimals');
const range = z.object({ from: z.string(), to: z.string() }).describe('Asia/Shanghai days, both inclusive');

const staffRow = z.object({
  staffId: z.string(),
  name: z.string(),
  role: z.string(),
  leadsHandled: z.number().int().describe('leads whose status the person changed in the period'),
  firstResponses: z.number().int().describe('leads first answered in the period whose first action was theirs'),
  medianFirstResponseHours: z.number().nullable().describe('median arrival → first action over those leads, hours'),
  approvals: z.number().int(),
  rejections: z.number().int(),
  disbursements: z.number().int(),
  disbursedAmount: yuan,
  contacts: z.number().int().describe('collection contact attempts made'),
  contactsReached: z.number().int().describe('of which reached the borrower (reached or promised)'),
  promises: z.number().int().describe('promises to pay recorded'),
  promisedAmount: yuan,
  promisesKept: z.number().int(),
  recoveredAmount: yuan.describe('repayments received while a collection case assigned to them was open'),
});

export const institutionPerformanceResponse = z.object({
  range,
  institutionId: z.string(),
  staff: z.array(staffRow),
  totals: z.object({
    leadsHandled: z.number().int(),
    approvals: z.number().int(),
    rejections: z.number().int(),
    disbursements: z.number().int(),
    disbursedAmount: yuan,
    contacts: z.number().int(),
    promises: z.number().int(),
    promisedAmount: yuan,
    recoveredAmount: yuan,
  }),
});

export const operatorPerformanceResponse = z.object({
  range,
  operators: z.array(
    z.object({
      operatorId: z.string(),
      name: z.string(),
      role: z.string(),
      complaintsResolved: z.number().int().describe('complaints assigned to them and resolved in the period'),
      complaintsOnTime: z.number().int().describe('of which resolved by the resolution deadline'),
      onTimeShare: z.number().nullable().describe('fraction; null without any'),
      reviewsModerated: z.number().int(),
      productVersionsReviewed: z.number().int(),
      onboardingsReviewed: z.number().int(),
      feedbackAnswered: z.number().int(),
    }),
  ),
});
