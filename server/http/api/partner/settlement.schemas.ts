import { z } from 'zod';
import { day, fen, instant } from '../responses';

/** The institution's disbursement report, as JSON rows. */
export const reconciliationBody = z
  .object({
    rows: z
      .array(
        z
          .object({
            applicationId: z.string().max(64),
            /** "2026-03-05", "2026-03-05 14:30:00" (Asia/Shanghai) or ISO 8601 with a zone */
            disbursedAt: z.string().max(40),
            /** yuan, at most two decimals: "12345.67" */
            amountYuan: z.union([z.string().max(20), z.number()]).transform(String),
          })
          .strict(),
      )
      .min(1, '至少一行')
      .max(50_000, '最多 50000 行'),
  })
  .strict();

/* What the settlement and statistics routes answer (statements: ../responses.ts). Statistics come through `inYuan`: each `…Fen` figure as yuan, without the suffix. */

const count = z.number().int();
const share = z.number().nullable().describe('fraction, null when there is nothing to divide by');
const yuanFigure = z.number().describe('yuan');

const funnelCounts = {
  impressions: count,
  clicks: count,
  applications: count,
  approvals: count,
  rejections: count,
  disbursements: count,
  disbursedAmount: yuanFigure,
};

const kpis = {
  ...funnelCounts,
  decided: count,
  approvalRate: share,
  avgFirstResponseHours: z.number().nullable(),
  clickThroughRate: share,
  applicationRate: share,
};

const mixBucket = z.object({
  label: z.string(),
  people: count.nullable().describe('null when withheld'),
  share,
  suppressed: z.boolean().describe('fewer than minGroupSize people, or withheld so such a group cannot be derived'),
  display: z.string(),
});

export const dateRange = z.object({ from: z.string(), to: z.string() }).describe('Asia/Shanghai days, YYYY-MM-DD, both inclusive');

export const institutionStatisticsResponse = z.object({
  range: dateRange,
  productId: z.string().nullable(),
  products: z.array(z.object({ id: z.string(), name: z.string() })),
  kpis: z.object(kpis),
  daily: z.array(z.object({ day: z.string(), ...funnelCounts })),
  byProduct: z.array(z.object({ productId: z.string(), productName: z.string(), ...kpis })),
  byChannel: z.array(z.object({ channel: z.string(), label: z.string(), impressions: count, clicks: count, applications: count })),
  byRegion: z.array(
    z.object({
      city: z.string(),
      applicants: count.nullable(),
      applications: count.nullable(),
      approved: count.nullable(),
      disbursedAmount: yuanFigure.nullable(),
      suppressed: z.boolean(),
      display: z.string(),
    }),
  ),
  mix: z.object({ age: z.array(mixBucket), city: z.array(mixBucket), credit: z.array(mixBucket) }),
  minGroupSize: count,
});

export const unbilledResponse = z.object({
  period: z.string().describe('the current Asia/Shanghai month, YYYY-MM'),
  currentFen: fen,
  currentItems: count,
  earlierFen: fen,
  earlierItems: count,
  totalFen: fen,
  nextCloseOn: day,
});

const reconciliationImport = {
  id: z.string(),
  source: z.string(),
  rowCount: count,
  matched: count,
  fromMonth: z.string(),
  toMonth: z.string(),
  createdAt: instant,
};

const difference = z.object({
  applicationId: z.string(),
  kind: z.enum(['missing_ours', 'missing_theirs', 'amount']),
  ourAmountFen: fen.nullable(),
  theirAmountFen: fen.nullable(),
  status: z.string(),
  resolutionNote: z.string().nullable(),
});

export const reconciliationResponse = z.object({ ...reconciliationImport, differences: z.array(difference) });
export const reconciliationImportedResponse = reconciliationResponse.extend({ duplicate: z.boolean().describe('true when this identical report was imported before') });
