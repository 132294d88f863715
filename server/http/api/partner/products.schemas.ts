import { z } from 'zod';
import { instant, productResponse } from '../responses';

/** What the partner product routes answer: the listing as consumers see it, with its status and versions. */

export const productVersionResponse = z.object({
  id: z.string(),
  version: z.number().int(),
  status: z.string(),
  apr: z.object({ min: z.number(), max: z.number() }).describe('all-in APR range of this version, fractions'),
  submittedAt: instant.nullable(),
  reviewedAt: instant.nullable(),
  reviewComment: z.string().nullable(),
  checklist: z
    .array(z.object({ key: z.string(), label: z.string(), automatic: z.boolean(), passed: z.boolean().nullable(), detail: z.string() }))
    .nullable()
    .describe('the review checklist'),
});

export const listingResponse = productResponse.extend({
  status: z.string(),
  statusLabel: z.string(),
  latestVersion: productVersionResponse.nullable(),
});

export const listingListResponse = z.object({ items: z.array(listingResponse) });

export const listingDetailResponse = listingResponse.extend({
  versions: z.array(productVersionResponse),
  statusHistory: z.array(z.object({ from: z.string().nullable(), to: z.string(), reason: z.string().nullable(), by: z.string(), at: instant })),
});
