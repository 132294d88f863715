import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Services } from '../../container';
import { NotFoundError } from '../../lib/errors';
import { apiGuard, principalOf, type GuardSpec, type PrincipalFor } from '../guards';
import { idempotent } from '../idempotency';
import type { HttpKit } from '../kit';
import type { RateLimits } from '../rate-limits';
import { singleUpload } from '../upload';
import { parse } from '../validate';
import { guard, idParam, pathParamNames, type PathParams } from '../route-basics';

export { guard, idParam };

/**
 * An API route as data: who may call it, what it accepts (path params, query, body: zod), what it
 * answers, and a handler with a typed context. The same tables build the Express routers
 * (`buildApiRouter`) and the OpenAPI document (`./openapi.ts`), so a route cannot exist without
 * its description.
 */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteContext<G extends GuardSpec, P extends string, Q, B> {
  params: PathParams<P>;
  query: Output<Q>;
  body: Output<B>;
  /** who is calling, typed by the guard */
  principal: PrincipalFor<G>;
  services: Services;
  kit: HttpKit;
  req: Request;
  res: Response;
}

export interface RouteSpec<G extends GuardSpec, P extends string, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  method: Method;
  path: P;
  guard: G;
  summary: string;
  description?: string;
  /** schemas for path params other than opaque ids (every param not named here is an `idParam`) */
  params?: { [K in keyof PathParams<P>]?: z.ZodType<string> };
  query?: Q;
  /** the message of the 400 when the query is refused (default 查询参数有误) */
  queryError?: string;
  /** JSON body; a POST, PUT or PATCH without one accepts only an empty body */
  body?: B;
  /** the message of the 400 when the body is refused (default 请求有误) */
  bodyError?: string;
  /** multipart with one `file` (documents); `body` then describes the text fields */
  upload?: true;
  /** the success body as sent (JSON: instants are ISO strings); every JSON route declares one, and under test each answer is checked against it */
  response?: z.ZodType;
  responseDescription?: string;
  /** what the success answer is when not JSON: a file, a CSV, nothing (204) */
  produces?: 'json' | 'file' | 'csv';
  /** the success status (default 200); a handler may set another (200 for a replay) with `res.status` and document it in `alsoAnswers` */
  status?: 200 | 201 | 202 | 204;
  alsoAnswers?: Partial<Record<200 | 201, string>>;
  /** error statuses beyond those the guard and the inputs imply (400, 401, 403, 404) */
  errors?: number[];
  /** `Idempotency-Key` header: money-moving and application-creating POSTs */
  idempotency?: 'required' | 'optional';
  rateLimit?: (limits: RateLimits) => RequestHandler | RequestHandler[];
  /** the JSON answer, or undefined when the handler answered through `res` (a file, a 204) */
  handler: (ctx: RouteContext<G, P, Q, B>) => unknown;
}

/** A route with its types erased, as kept in a table. */
export type ApiRoute = RouteSpec<GuardSpec, string, z.ZodType | undefined, z.ZodType | undefined>;

/** Declares one route; the generics tie the handler's context to the guard, the path and the schemas. */
export function route<G extends GuardSpec, P extends string, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<G, P, Q, B>,
): ApiRoute {
  return spec as unknown as ApiRoute;
}

/** Actions that take no input: any field sent is refused, as on every other endpoint. */
export const noBody = z.strictObject({}, { error: '请求体须为 JSON 对象' });

/** The schema of a route's path params: each named one as declared, the rest opaque ids. */
export function paramsSchema(spec: ApiRoute): z.ZodObject {
  const declared = (spec.params ?? {}) as Record<string, z.ZodType<string>>;
  return z.strictObject(Object.fromEntries(pathParamNames(spec.path).map((name) => [name, declared[name] ?? idParam])));
}

/** Whether a route reads a body: POST and PUT always do (an empty one when it declares none). */
export const bodySchemaOf = (spec: ApiRoute): z.ZodType | undefined => spec.body ?? (spec.method === 'post' || spec.method === 'put' || spec.method === 'patch' ? noBody : undefined);

/** Whether a route's success answer is a JSON body (not a file, a CSV or a 204). */
export const answersJson = (spec: ApiRoute): boolean => spec.status !== 204 && spec.produces !== 'file' && spec.produces !== 'csv';

/** Keys the answer carries that its schema does not describe (zod strips them from the output). */
function undescribedKeys(sent: unknown, parsed: unknown, at: string, found: string[]): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) sent.forEach((v, i) => undescribedKeys(v, parsed[i], `${at}[${i}]`, found));
  else if (sent && parsed && typeof sent === 'object' && typeof parsed === 'object') {
    for (const [key, value] of Object.entries(sent)) {
      if (!(key in parsed)) found.push(`${at}.${key}`);
      else undescribedKeys(value, (parsed as Record<string, unknown>)[key], `${at}.${key}`, found);
    }
  }
  return found;
}

/**
 * Under test, a JSON success answer must match the route's response schema exactly (as the client
 * receives it: dates as ISO strings), with no field left undescribed; a mismatch is a plain Error,
 * a 500 that fails the test that made the call. Production never pays for it.
 */
export function checkAnswer(spec: ApiRoute, body: string): void {
  const problem = answerProblem(spec, body);
  if (!problem) return;
  process.stderr.write(`${problem}\n`); // the 500's log may be silent in tests; this must not be
  throw new Error(problem);
}

function answerProblem(spec: ApiRoute, body: string): string | undefined {
  const where = `${spec.method.toUpperCase()} ${spec.path}`;
  if (!spec.response) return `${where} answers JSON but declares no response schema`;
  const sent: unknown = JSON.parse(body);
  const result = spec.response.safeParse(sent);
  if (!result.success) return `${where}: the answer does not match its response schema:\n${z.prettifyError(result.error)}`;
  const extra = undescribedKeys(sent, result.data, '$', []);
  if (extra.length) return `${where}: the answer carries fields its response schema does not describe: ${extra.join(', ')}`;
  return undefined;
}

const checkAnswers = process.env.NODE_ENV === 'test';

/** Under test, every 2xx JSON body this route sends (through `res.json` or `res.send`) goes through `checkAnswer` first. */
function checkedSend(spec: ApiRoute, res: Response): void {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const type = String(res.get('Content-Type') ?? '');
    if (res.statusCode >= 200 && res.statusCode < 300 && type.includes('json') && (typeof body === 'string' || Buffer.isBuffer(body))) {
      checkAnswer(spec, body.toString());
    }
    return send(body);
  };
}

/**
 * A route's own handler: its params, query and body checked, the principal its guard admits, the
 * answer sent (and, under test, checked against its response schema). `buildApiRouter` puts it
 * after the guard and the rest of the chain; app.ts also mounts the anonymous product list's ahead
 * of the stack. It returns a promise: a caller outside a router passes its rejection to `next`.
 */
export function routeHandler(spec: ApiRoute, services: Services, kit: HttpKit): RequestHandler {
  const params = paramsSchema(spec);
  const body = bodySchemaOf(spec);
  const check = checkAnswers && answersJson(spec);
  return async (req, res) => {
    if (check) checkedSend(spec, res);
    const ctx: RouteContext<GuardSpec, string, z.ZodType | undefined, z.ZodType | undefined> = {
      params: parse(params, { ...req.params }, '路径参数有误') as PathParams<string>,
      query: (spec.query ? parse(spec.query, req.query, spec.queryError ?? '查询参数有误') : undefined) as never,
      body: (body ? parse(body, req.body ?? {}, spec.bodyError ?? '请求有误') : undefined) as never,
      principal: principalOf(req, spec.guard),
      services,
      kit,
      req,
      res,
    };
    res.status(spec.status ?? 200);
    const answer = await spec.handler(ctx);
    if (res.headersSent) return;
    if (answer === undefined) res.end();
    else res.json(answer);
  };
}

/**
 * One Express router from route tables: on each route its guard first (so the start-up check and
 * the permission matrix read it), then rate limits, the idempotency key, the upload, the handler.
 * Anything else under the mount point is a JSON 404.
 */
export function buildApiRouter(routes: readonly ApiRoute[], services: Services, kit: HttpKit): Router {
  const router = Router();
  for (const spec of routes) {
    const chain: RequestHandler[] = [apiGuard(kit.guards, spec.guard)];
    if (spec.rateLimit) chain.push(...[spec.rateLimit(kit.limits)].flat());
    if (spec.idempotency) chain.push(idempotent(services.idempotency, { required: spec.idempotency === 'required' }));
    if (spec.upload) chain.push(singleUpload);
    router[spec.method](spec.path, ...chain, routeHandler(spec, services, kit));
  }
  router.use(kit.guards.public, () => {
    throw new NotFoundError('接口');
  });
  return router;
}
