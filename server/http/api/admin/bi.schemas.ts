import { z } from 'zod';
import { biAlertKinds, biDimensionKeys, biMeasureKeys } from '../../../modules/analytics';

const day = z.string().optional().describe('YYYY-MM-DD, Asia/Shanghai');

/** A BI selection in a query string; `f.<dimension>=value` filters (any number) are read beside these. */
export const biQuery = z.looseObject({
  measures: z.string().optional().describe(`comma-separated, of: ${biMeasureKeys.join(', ')} (default applications,approvals,disbursedAmount)`),
  rows: z.string().optional().describe(`row dimension, one of: ${biDimensionKeys.join(', ')}`),
  cols: z.string().optional().describe('column dimension (as rows; not the same one)'),
  from: day,
  to: day,
});

export const biDrillQuery = z.looseObject({
  measures: z.string().optional(),
  rows: z.string().optional(),
  cols: z.string().optional(),
  from: day,
  to: day,
  measure: z.string().describe(`the cell's measure, one of: ${biMeasureKeys.join(', ')}`),
  row: z.string().optional().describe("the cell's row key (required when rows is given)"),
  col: z.string().optional().describe("the cell's column key (required when cols is given)"),
});

export const biSelectionSchema = z.object({
  measures: z.array(z.string()),
  rows: z.string().nullable(),
  cols: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  filters: z.record(z.string(), z.string()),
});

const value = z.object({ value: z.number().nullable().describe('counts; money in fen; rates as a fraction; null = nothing to divide by'), text: z.string() });
const values = z.record(z.string(), value);
const header = z.object({ key: z.string(), label: z.string() });

export const biPivotResponse = z.object({
  selection: biSelectionSchema,
  rows: z.array(header),
  cols: z.array(header),
  cells: z.array(z.array(values)).describe('cells[row][col][measure]'),
  rowTotals: z.array(values),
  colTotals: z.array(values),
  total: values,
});

export const biDrillResponse = z.object({
  set: z.string(),
  from: z.string(),
  to: z.string(),
  filters: z.record(z.string(), z.string()),
  total: z.number().int(),
  rows: z.array(
    z.object({
      kind: z.enum(['application', 'borrower']),
      id: z.string(),
      at: z.string(),
      borrower: z.string().describe('masked'),
      channel: z.string(),
      region: z.string(),
      institution: z.string(),
      product: z.string(),
      amountFen: z.number().int().nullable(),
      status: z.string(),
    }),
  ),
});

const savedView = z.object({ id: z.string(), name: z.string(), selection: biSelectionSchema, createdAt: z.string() });
export const biViewResponse = savedView;
export const biViewListResponse = z.object({ items: z.array(savedView) });
export const biViewBody = z.strictObject({
  name: z.string().max(60),
  selection: z.strictObject({
    measures: z.array(z.string()).optional(),
    rows: z.string().nullable().optional(),
    cols: z.string().nullable().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    filters: z.record(z.string(), z.string()).optional(),
  }),
});

export const biCohortQuery = z.strictObject({ from: day, to: day, channel: z.string().max(64).optional(), byChannel: z.enum(['0', '1', 'true', 'false']).optional() });
const share = z.number().nullable();
export const biCohortResponse = z.object({
  items: z.array(
    z.object({ week: z.string(), channel: z.string().nullable(), channelLabel: z.string().nullable(), size: z.number().int(), applied: z.array(share), approved: z.array(share), disbursed: z.array(share) }),
  ),
});

export const biAlertListResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      day: z.string(),
      kind: z.enum(biAlertKinds),
      kindLabel: z.string(),
      subject: z.string(),
      subjectLabel: z.string(),
      previousRate: z.number(),
      currentRate: z.number(),
      message: z.string(),
      createdAt: z.string(),
    }),
  ),
});
export const biSubscriptionBody = z.strictObject({
  kind: z.enum(biAlertKinds),
  subject: z.string().max(100).nullable().optional(),
  thresholdPoints: z.number().positive().max(100).describe('percentage points'),
  minBase: z.number().int().min(1).optional(),
  phone: z.string().max(11).nullable().optional(),
});
export const biSubscriptionListResponse = z.object({
  items: z.array(
    z.object({ id: z.string(), kind: z.enum(biAlertKinds), kindLabel: z.string(), subject: z.string().nullable(), subjectLabel: z.string(), thresholdPoints: z.number(), minBase: z.number().int(), phoneMasked: z.string(), createdAt: z.string() }),
  ),
});
export const biRebuildBody = z.strictObject({ from: z.string(), to: z.string() });
export const biRebuildResponse = z.object({ days: z.number().int(), rows: z.number().int() });
