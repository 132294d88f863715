import { ValidationError, type FieldErrors } from '../../lib/errors';
import type { ProfileDraftStatus, PublicProfileFields } from './institutions.schema';

export const profileDraftStatusLabels: Record<ProfileDraftStatus, string> = { submitted: '审核中', approved: '已通过', rejected: '已驳回' };

/** A customer-service number as lenders print it: 95555, 400-820-8888, 010-12345678, +86 21 1234 5678. */
const SERVICE_PHONE = /^\+?[0-9][0-9 -]{3,18}[0-9]$/;

/** Each field of the public information an institution edits, with its label and limit, in page order. */
export const publicProfileFields: readonly { key: keyof PublicProfileFields; label: string; max: number }[] = [
  { key: 'description', label: '机构简介', max: 1000 },
  { key: 'regulator', label: '监管机构', max: 60 },
  { key: 'servicePhone', label: '客服电话', max: 20 },
  { key: 'serviceHours', label: '客服时间', max: 60 },
];

/** The approved public information of an institution row (empty where nothing was set). */
export function approvedFields(row: { description: string; regulator: string | null; servicePhone: string | null; serviceHours: string | null }): PublicProfileFields {
  return { description: row.description, regulator: row.regulator ?? '', servicePhone: row.servicePhone ?? '', serviceHours: row.serviceHours ?? '' };
}

/**
 * Trims and checks public information: each field within its limit, the phone looking like one;
 * every field required in an institution's draft (`required`), any may stay empty in an operator's edit.
 */
export function checkPublicFields(input: PublicProfileFields, required = true): PublicProfileFields {
  const fields = Object.fromEntries(publicProfileFields.map(({ key }) => [key, (input[key] ?? '').trim()])) as unknown as PublicProfileFields;
  const problems: FieldErrors = {};
  for (const { key, label, max } of publicProfileFields) {
    if (!fields[key] && required) problems[key] = `请填写${label}`;
    else if ([...fields[key]].length > max) problems[key] = `${label}最多 ${max} 字`;
  }
  if (fields.servicePhone && !problems.servicePhone && !SERVICE_PHONE.test(fields.servicePhone)) problems.servicePhone = '请填写有效的客服电话，如 95555 或 400-820-8888';
  if (Object.keys(problems).length > 0) throw new ValidationError('公开信息有误', problems);
  return fields;
}

export interface FieldChange {
  key: string;
  label: string;
  before: string;
  after: string;
  changed: boolean;
}

/** Field-by-field comparison of the approved public information with a proposal, as the reviewer reads it. */
export function diffPublicFields(before: PublicProfileFields, after: PublicProfileFields): FieldChange[] {
  return publicProfileFields.map(({ key, label }) => ({ key, label, before: before[key], after: after[key], changed: before[key] !== after[key] }));
}
