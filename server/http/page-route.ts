import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Services } from '../container';
import { NotFoundError } from '../lib/errors';
import { guardFor, principalOf, type GuardSpec, type PrincipalFor } from './guards';
import type { HttpKit } from './kit';
import type { Render } from './render';
import { idParam, pathParamNames, type PathParams } from './route-basics';

export { guard } from './route-basics';
import { parse } from './validate';

/**
 * A page route as data, the way the API's route tables declare theirs (`./api/route-table.ts`):
 * who may open it, its path params and query (zod), and a handler with a typed context: the
 * params already checked (a malformed id is the page's 404), the caller typed by the guard (no
 * `req.account!`), `render` bound to the request. Forms read their body in the handler, because
 * a refused form is shown again with what was typed (`formFailure`).
 */

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface PageContext<G extends GuardSpec, P extends string, Q> {
  params: PathParams<P>;
  query: Output<Q>;
  /** who is calling, typed by the guard */
  principal: PrincipalFor<G>;
  services: Services;
  kit: HttpKit;
  /** renders a view of this surface for this request */
  render(page: string, context?: Record<string, unknown>): Promise<void>;
  req: Request;
  res: Response;
}

export interface PageSpec<G extends GuardSpec, P extends string, Q extends z.ZodType | undefined> {
  method: 'get' | 'post';
  path: P;
  guard: G;
  /** schemas for path params other than opaque ids (every param not named here is an `idParam`); a param refused is a 404 */
  params?: { [K in keyof PathParams<P>]?: z.ZodType<string> };
  /** the query, parsed before the handler (give filters a `.catch()` so a stale link still opens the page) */
  query?: Q;
  /** middleware between the guard and the handler: an upload, a rate limit */
  before?: (kit: HttpKit) => RequestHandler | RequestHandler[];
  handler: (ctx: PageContext<G, P, Q>) => unknown;
}

/** A page route with its types erased, as kept in a table. */
export type PageRoute = PageSpec<GuardSpec, string, z.ZodType | undefined>;

/** Declares one page route; the generics tie the handler's context to the guard, the path and the query. */
export function page<G extends GuardSpec, P extends string, Q extends z.ZodType | undefined = undefined>(spec: PageSpec<G, P, Q>): PageRoute {
  return spec as unknown as PageRoute;
}

function paramsSchemaOf(spec: PageRoute): z.ZodObject {
  const declared = (spec.params ?? {}) as Record<string, z.ZodType<string>>;
  return z.object(Object.fromEntries(pathParamNames(spec.path).map((name) => [name, declared[name] ?? idParam])));
}

function handlerOf(spec: PageRoute, services: Services, kit: HttpKit, render: Render): RequestHandler {
  const params = paramsSchemaOf(spec);
  return async (req, res) => {
    const checked = params.safeParse({ ...req.params });
    // a link to something that cannot exist is the page of something that does not
    if (!checked.success) throw new NotFoundError('页面');
    const ctx: PageContext<GuardSpec, string, z.ZodType | undefined> = {
      params: checked.data as PathParams<string>,
      query: (spec.query ? parse(spec.query, req.query, '查询参数有误') : undefined) as never,
      principal: principalOf(req, spec.guard),
      services,
      kit,
      render: (view, context) => render(req, res, view, context),
      req,
      res,
    };
    await spec.handler(ctx);
  };
}

/** Adds page tables to a surface's router, in order (a fixed path before a `:param` one), each route behind its guard. */
export function mountPages(router: Router, routes: readonly PageRoute[], services: Services, kit: HttpKit, render: Render): void {
  for (const spec of routes) {
    const chain: RequestHandler[] = [guardFor(kit.guards, spec.guard, 'page')];
    if (spec.before) chain.push(...[spec.before(kit)].flat());
    router[spec.method](spec.path, ...chain, handlerOf(spec, services, kit, render));
  }
}
