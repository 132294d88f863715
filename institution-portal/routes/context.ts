import type { guard, PageContext } from '../../server/http/page-route';

/** What a portal page's shared helper (a form shown again, a detail page) gets from the route that calls it. */
export type StaffPage<Params = Record<never, never>> = Omit<PageContext<ReturnType<typeof guard.institution>, string, undefined>, 'params' | 'query'> & { params: Params };
