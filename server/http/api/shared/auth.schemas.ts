import { registrationChannelSchema } from '../../../modules/channels';
import { z } from 'zod';
import { passwordProblem } from '../../../modules/accounts';

/** Registration, logins, SMS codes and passwords: the same on the pages and the three APIs. Strict: unknown fields are refused. */

export const phoneField = z
  .string({ error: '手机号必填' })
  .trim()
  .regex(/^1[3-9]\d{9}$/, '请输入 11 位中国大陆手机号');
const passwordField = z.string({ error: '密码必填' }).min(1, '密码必填').max(128, '密码最多 128 位');

/** A new password, checked against the policy at the edge so every problem is reported at once. */
const newPasswordField = z.string({ error: '密码必填' }).superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const codeField = z.string({ error: '请输入短信验证码' }).trim().regex(/^\d{6}$/, '验证码为 6 位数字');

/** The versions of the 用户协议 and 隐私政策 the person read and agreed to (GET /api/v1/legal/agreements gives the current ones). */
export const agreementVersionsBody = z.strictObject(
  {
    userAgreement: z.number({ error: '请填写同意的《用户协议》版本号' }).int().positive(),
    privacyPolicy: z.number({ error: '请填写同意的《隐私政策》版本号' }).int().positive(),
  },
  { error: '请阅读并同意《用户协议》和《隐私政策》' },
);

export const registerBody = z.strictObject({
  phone: phoneField,
  code: codeField,
  password: newPasswordField,
  displayName: z.string().trim().max(30, '昵称最多 30 个字').optional(),
  agreements: agreementVersionsBody,
  channel: registrationChannelSchema
    .optional()
    .describe('a partner app registering its user names its channel: { code, sub?, clickId? }, recorded as a channel visit at this moment; the attribution rule (first visit within the window) then applies. An unknown or inactive code attributes nothing.'),
});

export const smsCodeBody = z.strictObject({
  phone: phoneField,
  purpose: z.enum(['register', 'reset_password', 'login'], { error: '用途为 register、reset_password 或 login' }),
});

/** Signing in with an SMS code instead of the password. */
export const smsLoginBody = z.strictObject({ phone: phoneField, code: codeField });

export const resetPasswordBody = z.strictObject({ phone: phoneField, code: codeField, password: newPasswordField });

export const changePasswordBody = z.strictObject({
  currentPassword: z.string({ error: '请输入当前密码' }).min(1, '请输入当前密码').max(128),
  password: newPasswordField,
});

/** The same on a page, where the new password is typed twice. */
export const changePasswordForm = changePasswordBody.extend({ confirm: z.string({ error: '请再次输入新密码' }) }).refine((b) => b.password === b.confirm, {
  message: '两次输入的新密码不一致',
  path: ['confirm'],
});

export const consumerLoginBody = z.strictObject({ phone: phoneField, password: passwordField });

export const staffLoginBody = z.strictObject({
  username: z.string({ error: '用户名必填' }).trim().min(1, '用户名必填').max(64, '用户名过长'),
  password: passwordField,
  /** the TOTP code, for accounts with two-step verification */
  totp: z.string().trim().regex(/^\d{6}$/, '验证码为 6 位数字').optional(),
});

/* What the auth routes answer besides `{ account }` (../responses.ts). */

export const smsCodeSentResponse = z.object({ sent: z.literal(true).describe('also for an unknown number'), resendAfterSeconds: z.number().int() });

export const passwordResetByAdminResponse = z.object({
  account: z.object({ id: z.string(), displayName: z.string(), login: z.string().describe('masked') }),
  oneTimePassword: z.string().describe('shown once, never stored in clear'),
});
