import { z } from 'zod';
import { apiSurfaces } from './surfaces';
import { bodySchemaOf, paramsSchema, type ApiRoute } from './route-table';

/** OpenAPI 3.1 description of the JSON APIs, generated from the route tables that also build the routers. */

type JsonSchema = Record<string, unknown>;

const json = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** A zod schema as the document carries it. */
export { json as jsonSchemaOf };

/** Path, query: one parameter per property of the object schema. */
function parametersOf(schema: z.ZodType, where: 'path' | 'query') {
  const shape = json(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(shape.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (shape.required?.includes(name) ?? false),
    schema: s,
  }));
}

const errorResponse = {
  description: 'Error: `{ error: { code, message, fields } }`',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

/** What a route without a declared response schema answers: a JSON object, described in words. */
const genericObject = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

function successResponse(spec: ApiRoute) {
  if (spec.status === 204) return { description: spec.responseDescription ?? 'Done (no content)' };
  if (spec.produces === 'file') return { description: spec.responseDescription ?? 'The file' };
  if (spec.produces === 'csv') return { description: spec.responseDescription ?? 'text/csv', content: { 'text/csv': { schema: { type: 'string' } } } };
  const description = spec.responseDescription ?? 'JSON object';
  if (!spec.response) return genericObject(description);
  return { description, content: { 'application/json': { schema: json(spec.response) } } };
}

const idempotencyHeader = (required: boolean) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required,
  description: 'A unique value per new request. The same key and body return the same result; the same key with another body is a 409.',
  schema: { type: 'string', minLength: 8, maxLength: 128 },
});

function securityOf(spec: ApiRoute) {
  switch (spec.guard.kind) {
    case 'public':
      return undefined;
    case 'institution':
      return spec.guard.sessionOnly ? [{ session: [] }] : [{ session: [] }, { partnerKey: [] }];
    default:
      return [{ session: [] }];
  }
}

/** Error statuses a route can answer: from its guard and inputs, plus those it declares. */
function errorStatuses(spec: ApiRoute): number[] {
  const statuses = new Set(spec.errors ?? []);
  const hasParams = spec.path.includes(':');
  if (hasParams || spec.query || bodySchemaOf(spec)) statuses.add(400);
  if (spec.guard.kind !== 'public') statuses.add(401);
  if (spec.guard.kind === 'institution' || spec.guard.kind === 'operator' || spec.guard.kind === 'channel') statuses.add(403);
  if (hasParams) statuses.add(404);
  if (spec.idempotency) statuses.add(409);
  if (spec.rateLimit) statuses.add(429);
  return [...statuses].sort((a, b) => a - b);
}

function requestBodyOf(spec: ApiRoute) {
  const body = bodySchemaOf(spec);
  if (spec.upload) {
    const fields = body ? ((json(body).properties as JsonSchema | undefined) ?? {}) : {};
    return { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { ...fields, file: { type: 'string', format: 'binary' } } } } } };
  }
  if (!spec.body) return undefined; // an empty body (or none) is all a route without a schema accepts
  return { required: true, content: { 'application/json': { schema: json(spec.body) } } };
}

export function operationOf(spec: ApiRoute, tag: string) {
  const parameters = [
    ...parametersOf(paramsSchema(spec), 'path'),
    ...(spec.query ? parametersOf(spec.query, 'query') : []),
    ...(spec.idempotency ? [idempotencyHeader(spec.idempotency === 'required')] : []),
  ];
  const responses: Record<string, unknown> = { [spec.status ?? 200]: successResponse(spec) };
  // another success status answers the same shape (a replay, a duplicate import)
  for (const [status, description] of Object.entries(spec.alsoAnswers ?? {})) responses[status] = spec.response ? { description, content: { 'application/json': { schema: json(spec.response) } } } : genericObject(description);
  for (const status of errorStatuses(spec)) responses[status] = errorResponse;
  const security = securityOf(spec);
  const requestBody = requestBodyOf(spec);
  return {
    tags: [tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(security ? { security } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** `/leads/:id` → `/leads/{id}` */
export const openApiPath = (mount: string, path: string) => `${mount}${path.replace(/:(\w+)/g, '{$1}')}`;

/** Built once: the route tables do not change while the process runs. */
let built: ReturnType<typeof buildOpenApiDocument> | undefined;
export function openApiDocument() {
  return (built ??= buildOpenApiDocument());
}

function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const surface of apiSurfaces) {
    for (const spec of surface.routes) {
      (paths[openApiPath(surface.mount, spec.path)] ??= {})[spec.method] = operationOf(spec, surface.tag);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '贷超 API',
      version: '1.0.0',
      description:
        'Lead webhooks: POST of {id, event, createdAt, data} signed `x-daichao-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, retried with backoff until a 2xx; deduplicate on `x-daichao-delivery`. Money is in yuan with two decimals; rates are fractions (0.12 = 12%). Errors are `{ error: { code, message, fields } }`. Consumer, operator and channel-partner calls use the session cookie from `auth/login`; state-changing calls must be JSON. Partner calls accept a staff session or `Authorization: Bearer <API key>`.',
    },
    servers: [{ url: '/' }],
    tags: apiSurfaces.map((s) => ({ name: s.tag, description: s.description })),
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'dc.sid' },
        partnerKey: { type: 'http', scheme: 'bearer', description: 'Institution API key: dck_<prefix>_<secret>' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
                requestId: { type: 'string' },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
