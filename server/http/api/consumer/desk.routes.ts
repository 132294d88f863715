import { guard, route, type ApiRoute } from '../route-table';
import { z } from 'zod';
import { partyDeskRoutes } from '../shared/desk.routes';
import { deskSuggestionsResponse } from '../shared/desk.schemas';

/** `/api/v1/desk`: guides and FAQ answers for a question (anyone), and the borrower's conversations with the desk. */
export const consumerDeskRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/desk/suggestions',
    guard: guard.public,
    summary: 'Published guides and FAQ answers matching a question, shown before the borrower writes to the desk',
    query: z.strictObject({ q: z.string().max(200, '最多 200 字').default('') }),
    responseDescription: '{ items: [{ slug, title, summary, url }] } (at most 3)',
    response: deskSuggestionsResponse,
    handler: async ({ query, services }) => ({ items: (await services.desk.suggestions(query.q)).map((a) => ({ ...a, url: `/guides/${a.slug}` })) }),
  }),
  ...partyDeskRoutes(guard.consumer, 'borrower', 'the borrower'),
];
