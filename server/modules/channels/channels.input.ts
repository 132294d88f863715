import { z } from 'zod';
import { ValidationError } from '../../lib/errors';
import { channelStatuses, channelTypes } from './channels.schema';

/** Channel codes: in links (`?ch=dy01`, `/c/dy01`), 2–16 lower-case letters or digits, unique, never reused. */
export const CHANNEL_CODE = /^[a-z0-9]{2,16}$/;
/** Sub-IDs: free text the operator or the channel chooses (`campaign-7`); '' is the bare channel link. */
export const SUB_ID = /^[A-Za-z0-9_-]{0,40}$/;
/** A channel's click id as it sends it (`click_id` / `clickid`): kept only when it looks like one. */
export const CLICK_ID = /^[A-Za-z0-9_.:~-]{1,128}$/;

const MOBILE = /^1\d{10}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

const text = (label: string, max: number) => z.string({ error: `${label}须为文字` }).trim().max(max, `${label}最多 ${max} 个字`);

export const channelCodeSchema = z.string({ error: '请填写渠道代码' }).trim().regex(CHANNEL_CODE, '渠道代码须为 2–16 位小写字母或数字');

const fields = {
  name: text('渠道名称', 40).min(1, '请填写渠道名称'),
  type: z.enum(channelTypes, { error: '请选择渠道类型' }),
  contactName: text('联系人', 30),
  /** mobile (11 digits) or landline (区号-号码); sealed, shown masked */
  contactPhone: z
    .string({ error: '联系电话须为文字' })
    .trim()
    .transform((v) => v.replace(/\s/g, ''))
    .refine((v) => v === '' || MOBILE.test(v) || LANDLINE.test(v), '联系电话须为 11 位手机号或区号-号码'),
  contactEmail: text('邮箱', 100).refine((v) => v === '' || EMAIL.test(v), '邮箱格式有误'),
  settlementAccountName: text('开户名', 60),
  settlementBank: text('开户行', 60),
  /** bank account number, 8–32 digits (spaces allowed when typed); sealed, shown masked */
  settlementAccountNumber: z
    .string({ error: '银行账号须为文字' })
    .transform((v) => v.replace(/[\s-]/g, ''))
    .refine((v) => v === '' || /^\d{8,32}$/.test(v), '银行账号须为 8–32 位数字'),
  /** where conversions are posted; '' = no postbacks */
  postbackUrl: text('回传地址', 500),
  notes: text('备注', 500),
};

/** A new channel partner. Optional text fields default to ''. */
export const channelCreateSchema = z.strictObject({
  name: fields.name,
  code: channelCodeSchema,
  type: fields.type,
  contactName: fields.contactName.default(''),
  contactPhone: fields.contactPhone.default(''),
  contactEmail: fields.contactEmail.default(''),
  settlementAccountName: fields.settlementAccountName.default(''),
  settlementBank: fields.settlementBank.default(''),
  settlementAccountNumber: fields.settlementAccountNumber.default(''),
  postbackUrl: fields.postbackUrl.default(''),
  notes: fields.notes.default(''),
});
export type ChannelCreateInput = z.input<typeof channelCreateSchema>;

/**
 * Changes to a channel: only the fields given change. The code never changes (links carry it).
 * `contactPhone` or `settlementAccountNumber` '' clears it; `postbackUrl` '' stops postbacks.
 */
export const channelPatchSchema = z.strictObject({
  name: fields.name.optional(),
  type: fields.type.optional(),
  status: z.enum(channelStatuses, { error: '状态须为 active、paused 或 terminated' }).optional(),
  contactName: fields.contactName.optional(),
  contactPhone: fields.contactPhone.optional(),
  contactEmail: fields.contactEmail.optional(),
  settlementAccountName: fields.settlementAccountName.optional(),
  settlementBank: fields.settlementBank.optional(),
  settlementAccountNumber: fields.settlementAccountNumber.optional(),
  postbackUrl: fields.postbackUrl.optional(),
  notes: fields.notes.optional(),
});
export type ChannelPatchInput = z.input<typeof channelPatchSchema>;

export const subIdSchema = z.string({ error: '子渠道 ID 须为文字' }).trim().regex(SUB_ID, '子渠道 ID 最多 40 位，只能含字母、数字、- 和 _');

/** A tracking link (and its H5 landing page) of a channel. */
export const channelLinkSchema = z.strictObject({
  // `/c/<code>/code` is where a landing form asks for its SMS code
  subId: subIdSchema.refine((v) => v !== 'code', '子渠道 ID 不能是 code').default(''),
  label: text('链接名称', 40).default(''),
  landingHeadline: text('落地页标题', 40).default(''),
  landingSubline: text('落地页副标题', 80).default(''),
});
export type ChannelLinkInput = z.input<typeof channelLinkSchema>;

/** The channel an app's registration carries (`POST /api/v1/auth/register`): treated as a touch at that moment. */
export const registrationChannelSchema = z.strictObject({
  code: channelCodeSchema,
  sub: subIdSchema.optional(),
  clickId: z.string({ error: 'clickId 须为文字' }).regex(CLICK_ID, 'clickId 最多 128 位，只能含字母、数字和 _ . : ~ -').optional(),
});
export type RegistrationChannel = z.output<typeof registrationChannelSchema>;

/** Checks input in the service too (the seed and other modules call it directly): the same 400 as at the edge. */
export function checkInput<S extends z.ZodType>(schema: S, input: unknown, message: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const out: Record<string, string> = {};
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out[key] = '不允许的字段';
      continue;
    }
    const field = issue.path.length ? issue.path.join('.') : '_';
    out[field] ??= issue.message;
  }
  throw new ValidationError(message, out);
}
