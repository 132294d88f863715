import type { RequestHandler } from 'express';
import { UnsupportedMediaTypeError, ValidationError, type FieldErrors } from '../lib/errors';

/** Deeper than this, a request body is refused: no form or API of ours nests more than a few levels. */
export const MAX_INPUT_DEPTH = 32;
/** At most this many fields are named in one refusal. */
const MAX_NAMED_FIELDS = 10;

const NUL = '\u0000';
/** In a `u` regular expression a surrogate pair is one code point, so this matches only an unpaired half. */
const LONE_SURROGATE = /\p{Surrogate}/u;

export const inputReasons = {
  nul: '不能包含空字符（\\0）',
  surrogate: '含有无效的 Unicode 字符（不成对的代理项）',
  depth: `嵌套不能超过 ${MAX_INPUT_DEPTH} 层`,
} as const;

/** A string PostgreSQL could not store: text refuses NUL, jsonb refuses an unpaired surrogate. */
function badText(s: string): string | undefined {
  if (s.includes(NUL)) return inputReasons.nul;
  if (LONE_SURROGATE.test(s)) return inputReasons.surrogate;
  return undefined;
}

/** A field name fit to show: escapes (JSON style) whatever made the name itself unstorable, and is kept short. */
const printable = (key: string) => (badText(key) ? JSON.stringify(key).slice(1, -1) : key).slice(0, 80);

/**
 * Finds what no route can store or safely walk: NUL bytes and unpaired surrogates in any string
 * or key, and nesting deeper than `maxDepth`. Iterative (an explicit stack), so a 10,000-deep
 * body cannot overflow the call stack here. Fields are named as zod names them (`items.0.note`);
 * too deep is named by its top-level field (or index, for an array).
 */
export function unstorableFields(input: unknown, maxDepth = MAX_INPUT_DEPTH): FieldErrors | undefined {
  const found: FieldErrors = {};
  let count = 0;
  const note = (path: readonly string[], reason: string) => {
    const field = path.length ? path.join('.') : '_';
    if (!(field in found)) {
      found[field] = reason;
      count++;
    }
  };
  const stack: { value: unknown; path: string[]; depth: number }[] = [{ value: input, path: [], depth: 0 }];
  while (stack.length && count < MAX_NAMED_FIELDS) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const reason = badText(value);
      if (reason) note(path, reason);
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxDepth) {
      note(path.slice(0, 1), inputReasons.depth);
      continue;
    }
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    // pushed in reverse, so fields are reported in the order they were sent
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const keyReason = badText(key);
      if (keyReason) note([...path, printable(key)], keyReason);
      else stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return count ? found : undefined;
}

/** The refusal, with each field named in the message too (an HTML error page shows only the message). */
function refusal(fields: FieldErrors): ValidationError {
  const listed = Object.entries(fields)
    .map(([field, reason]) => `「${field}」${reason}`)
    .join('；');
  return new ValidationError(`输入有误：${listed}`, fields);
}

/**
 * After the body parsers: a request whose path, query or body holds what PostgreSQL cannot store
 * (NUL, unpaired surrogates) or nests deeper than any of our inputs is refused here with a 400
 * naming the field, before any route, guard or idempotency fingerprint sees it. Multipart bodies
 * are parsed by their routes and checked by `refuseUnstorableBody` right after.
 */
export const refuseUnstorableInput: RequestHandler = (req, _res, next) => {
  // `%00` in the path would reach a route parameter and from there a query
  if (/%00/i.test(req.path)) return next(refusal({ path: `网址${inputReasons.nul}` }));
  const fields = unstorableFields(req.query) ?? unstorableFields(req.body);
  next(fields ? refusal(fields) : undefined);
};

/** The same check on a body parsed later (multipart forms, by multer). */
export const refuseUnstorableBody: RequestHandler = (req, _res, next) => {
  const fields = unstorableFields(req.body);
  next(fields ? refusal(fields) : undefined);
};

/**
 * `verify` for the JSON parser: JSON is UTF-8 (RFC 8259 §8.1). body-parser would decode a body
 * declared `charset=utf-7` or `utf-16` with that charset; it is refused with a 415 instead.
 */
export function requireUtf8Json(_req: unknown, _res: unknown, _body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() !== 'utf-8') throw new UnsupportedMediaTypeError(unsupportedCharsetMessage);
}

export const unsupportedCharsetMessage = 'JSON 请求体须为 UTF-8 编码（Content-Type: application/json; charset=utf-8）';
