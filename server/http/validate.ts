import { z } from 'zod';
import { ValidationError } from '../lib/errors';

/** Turns zod issues into { field: reason } with Chinese reasons where zod's are generic. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length ? issue.path.join('.') : ((issue as { keys?: string[] }).keys?.join(',') ?? '_');
    if (fields[field]) continue;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[key] = '不允许的字段';
      continue;
    }
    fields[field] = issue.message;
  }
  return fields;
}

/** Validates input at the edge; unknown fields are rejected by the strict schemas. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, message = '输入有误'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(message, fieldErrors(result.error));
  return result.data;
}

/** Yuan amount as a string or number with at most two decimals → integer fen. */
export const yuanAmount = (label: string) =>
  z
    .union([z.string(), z.number()], { error: `${label}必填` })
    .transform((v, ctx) => {
      const text = String(v).trim().replace(/,/g, '');
      const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `${label}须为正数，最多两位小数` });
        return z.NEVER;
      }
      const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
      if (fen <= 0) {
        ctx.addIssue({ code: 'custom', message: `${label}须大于 0` });
        return z.NEVER;
      }
      return fen;
    });

export const intFrom = (label: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${label}须为整数` })
    .int(`${label}须为整数`)
    .min(min, `${label}不能小于 ${min}`)
    .max(max, `${label}不能大于 ${max}`);

/** One or many values: `?category=a&category=b` or `?category=a,b`. */
export const manyOf = (label: string, allowed?: readonly string[]) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean))
    .pipe(
      z
        .array(allowed ? z.enum(allowed as [string, ...string[]], { error: `${label}取值无效` }) : z.string().max(40))
        .max(20, `${label}最多选 20 个`),
    );

/** A checkbox or flag in a query: 1/0, true/false, on. */
export const booleanFlag = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'on'])], { error: '须为 true 或 false' })
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'on');
