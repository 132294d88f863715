import { z } from 'zod';

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
