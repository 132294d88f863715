import { z } from 'zod';
import { ValidationError } from '../lib/errors';
import { parseYuan, type YuanSign } from '../lib/money';

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

/** A yuan amount as typed (see parseYuan: "1,234.5", "¥1234", at most two decimals) → integer fen; more than 0 unless `sign` says otherwise. */
export const yuanAmount = (label: string, sign: YuanSign = 'positive') =>
  z
    .union([z.string(), z.number()], { error: `${label}必填` })
    .transform((v, ctx) => {
      const parsed = parseYuan(v, { label, sign });
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', message: parsed.reason });
        return z.NEVER;
      }
      return parsed.fen;
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
