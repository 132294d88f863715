import { z } from 'zod';
import { day } from '../responses';

/** What the guide and campaign routes answer. */

const guideListItem = z.object({
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  category: z.object({ id: z.string(), name: z.string() }),
  coverUrl: z.string().nullable(),
  publishedAt: z.string().nullable().describe('ISO 8601 instant'),
  url: z.string(),
});

export const guideListResponse = z.object({ items: z.array(guideListItem), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

export const guideResponse = guideListItem.extend({
  bodyHtml: z.string().describe('sanitised HTML'),
  updatedAt: z.string().describe('ISO 8601 instant'),
});

export const campaignListResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      description: z.string(),
      bannerUrl: z.string().nullable(),
      link: z.string().describe('a path on the site'),
      startDate: day,
      endDate: day,
    }),
  ),
});
