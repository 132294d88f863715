import { z } from 'zod';
import type { GuardSpec } from './guards';

/**
 * What the API's route tables (`./api/route-table.ts`) and the pages' (`./page-route.ts`) share:
 * the guard a route declares, its path params' types and the opaque id every param is by default.
 */

/** `/leads/:id/status` → `{ id: string }` */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name | keyof PathParams<`/${Rest}`>]: string }
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;

/** An opaque id (`app_5k2x…`, `cc_loan_basics`): anything else in its place is refused (the API's 400 naming the param, a page's 404). */
export const idParam = z
  .string()
  .min(1, '编号不能为空')
  .max(64, '编号过长')
  .regex(/^[A-Za-z0-9_.:-]+$/, '编号格式无效');

/** The names of a path's params, in order: `/leads/:id/status` → `['id']`. */
export const pathParamNames = (path: string): string[] => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

/** Guards for route tables. */
export const guard = {
  public: { kind: 'public' } as const,
  consumer: { kind: 'consumer' } as const,
  institution: (permission: Extract<GuardSpec, { kind: 'institution' }>['permission'], opts: { allowSecuritySetup?: boolean; sessionOnly?: boolean } = {}) =>
    ({ kind: 'institution', permission, ...opts }) as const,
  operator: (permission: Extract<GuardSpec, { kind: 'operator' }>['permission'], opts: { allowSecuritySetup?: boolean } = {}) =>
    ({ kind: 'operator', permission, ...opts }) as const,
  channel: (permission: Extract<GuardSpec, { kind: 'channel' }>['permission'], opts: { allowSecuritySetup?: boolean } = {}) =>
    ({ kind: 'channel', permission, ...opts }) as const,
};
