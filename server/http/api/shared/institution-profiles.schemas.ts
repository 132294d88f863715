import { z } from 'zod';
import { productResponse } from '../responses';
import type { LenderProfile, ProfileDraft } from '../../../modules/institutions';
import { productJson } from '../serializers';

/** Lenders' public pages, the institutions' drafts of them and the operators' edits: bodies and answers. */

const text = (label: string) => z.string({ error: `${label}须为文本` });

/** An institution's proposed public information: every field, as the public page shows it (the service checks each). */
export const publicFieldsBody = z.strictObject({
  description: text('机构简介'),
  regulator: text('监管机构'),
  servicePhone: text('客服电话'),
  serviceHours: text('客服时间'),
});

/** An operator's edit of an institution: the fields sent are saved, with a required reason. */
export const institutionDetailsBody = z.strictObject({
  name: text('机构全称').optional(),
  shortName: text('机构简称').optional(),
  description: text('机构简介').optional(),
  regulator: text('监管机构').optional(),
  servicePhone: text('客服电话').optional(),
  serviceHours: text('客服时间').optional(),
  reason: text('修改原因'),
});

/** An operator's edit of a user: the name and (a consumer's) mobile number, with a required reason. */
export const userDetailsBody = z.strictObject({
  displayName: text('名称').optional(),
  phone: text('手机号').optional(),
  reason: text('修改原因'),
});

/** The reviewer's decision: a comment (optional to approve, required to reject). */
export const draftDecisionBody = z.strictObject({ comment: text('审核意见').max(500, '审核意见最多 500 字').optional() });

const instant = z.string().describe('ISO 8601 instant');
const fraction = z.number().nullable().describe('fraction: 0.8 = 80%; null below the minimum sample');

export const publicFieldsResponse = z.object({ description: z.string(), regulator: z.string(), servicePhone: z.string(), serviceHours: z.string() });

export const lenderProfileResponse = z.object({
  id: z.string(),
  name: z.string().describe('registered (legal) name'),
  shortName: z.string(),
  kind: z.string(),
  status: z.string(),
  licenceType: z.string().nullable(),
  licenceNumber: z.string().nullable(),
  ...publicFieldsResponse.shape,
  figures: z.object({
    windowDays: z.number().int(),
    minSample: z.number().int(),
    applications: z.number().int(),
    decided: z.number().int(),
    approvalRate: fraction,
    responded: z.number().int(),
    medianResponseMinutes: z.number().nullable().describe('median minutes to the first response; null below the minimum sample'),
    complaints: z.object({
      windowDays: z.number().int(),
      count: z.number().int(),
      resolved: z.number().int(),
      resolvedShare: z.number().nullable(),
      medianResolutionHours: z.number().nullable(),
    }),
  }),
  products: z.array(productResponse),
  reviews: z.object({
    count: z.number().int(),
    average: z.string().nullable(),
    items: z.array(z.object({ id: z.string(), reviewerNameMasked: z.string(), productName: z.string(), rating: z.number().int(), body: z.string(), createdAt: instant })),
  }),
});

export function lenderProfileJson({ institution: i, fields, figures, products, reviews }: LenderProfile) {
  return {
    id: i.id,
    name: i.name,
    shortName: i.shortName,
    kind: i.kind,
    status: i.status,
    licenceType: i.licenceType,
    licenceNumber: i.licenceNumber,
    ...fields,
    figures,
    products: products.map(productJson),
    reviews: { count: reviews.count, average: reviews.average, items: reviews.reviews },
  };
}

export const profileDraftResponse = z.object({
  id: z.string(),
  institutionId: z.string(),
  status: z.enum(['submitted', 'approved', 'rejected']),
  proposed: publicFieldsResponse,
  previous: publicFieldsResponse.describe('the approved information when it was submitted'),
  submittedAt: instant,
  reviewedAt: instant.nullable(),
  reviewComment: z.string().nullable().describe("the reviewer's comment; the reason of a rejection"),
});

export function profileDraftJson(d: ProfileDraft) {
  return {
    id: d.id,
    institutionId: d.institutionId,
    status: d.status,
    proposed: d.proposed,
    previous: d.previous,
    submittedAt: d.submittedAt,
    reviewedAt: d.reviewedAt,
    reviewComment: d.reviewComment,
  };
}

export const fieldChangeResponse = z.object({ key: z.string(), label: z.string(), before: z.string(), after: z.string(), changed: z.boolean() });
