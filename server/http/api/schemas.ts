import { z } from 'zod';
import { applicationStatuses, rejectReasons } from '../../modules/applications';
import { catalogueSorts, creditSelfAssessment, employmentTypes, repaymentMethods, type CreditSelfAssessment } from '../../modules/catalogue';
import { releasableFields, type ReleasableField } from '../../modules/consents';
import { passwordProblem } from '../../modules/accounts';
import { intFrom, yuanAmount } from '../validate';
import { complaintCategories, complaintStatuses } from '../../modules/feedback';

/** Request schemas of the JSON APIs and the forms. Strict: unknown fields are refused. */

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

export const registerBody = z.strictObject({
  phone: phoneField,
  code: codeField,
  password: newPasswordField,
  displayName: z.string().trim().max(30, '昵称最多 30 个字').optional(),
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

export const purposes = ['消费', '装修', '教育', '医疗', '旅游', '经营周转', '购车', '其他'] as const;
export const housingTypes = ['自有住房', '按揭', '租房', '与父母同住', '其他'] as const;

/** One or many values: `?category=a&category=b` or `?category=a,b`. */
const manyOf = (label: string, allowed?: readonly string[]) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean))
    .pipe(
      z
        .array(allowed ? z.enum(allowed as [string, ...string[]], { error: `${label}取值无效` }) : z.string().max(40))
        .max(20, `${label}最多选 20 个`),
    );

const booleanFlag = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'on'])], { error: '须为 true 或 false' })
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'on');

export const productListQuery = z.strictObject({
  q: z.string().trim().max(50, '关键词最多 50 个字').optional(),
  amount: yuanAmount('借款金额').optional(),
  termMonths: intFrom('期限', 1, 360).optional(),
  aprMax: z.coerce
    .number({ error: '最高年化须为小数，如 0.18' })
    .min(0, '最高年化不能为负')
    .max(1, '最高年化须为小数（0.18 表示 18%）')
    .optional(),
  category: manyOf('类别').optional(),
  institution: manyOf('机构').optional(),
  repayment: manyOf('还款方式', repaymentMethods).optional(),
  eligible: booleanFlag.optional(),
  sort: z.enum(catalogueSorts, { error: '排序方式为 ranked、relevance、apr、amount、speed 或 popularity' }).optional(),
  page: intFrom('页码', 1, 1000).default(1),
  pageSize: intFrom('每页数量', 1, 100).default(20),
});

export const calculatorQuery = z.strictObject({
  principal: yuanAmount('借款金额'),
  annualRate: z.coerce
    .number({ error: '年利率须为小数，如 0.12' })
    .min(0, '年利率不能为负')
    .max(1, '年利率须为小数（0.12 表示 12%）'),
  termMonths: intFrom('期限', 1, 360),
  method: z.enum(repaymentMethods, { error: '还款方式为 equal_installment、equal_principal、interest_first 或 bullet' }),
  upfrontFee: z.union([z.literal('0'), z.literal(0), yuanAmount('一次性费用')]).transform(Number).optional(),
  monthlyFee: z.union([z.literal('0'), z.literal(0), yuanAmount('每月费用')]).transform(Number).optional(),
  startDate: z.iso.date({ error: '放款日期格式为 YYYY-MM-DD' }).optional(),
});

export const profileBody = z.strictObject({
  housing: z.enum(housingTypes, { error: '请选择住房情况' }).optional(),
  monthlyDebt: z.union([z.literal('0'), z.literal(0), yuanAmount('每月负债还款')]).transform(Number).optional(),
  age: intFrom('年龄', 18, 100).optional(),
  city: z.string().trim().min(2, '请输入城市').max(20, '城市名最多 20 个字').optional(),
  monthlyIncome: z.union([z.literal('0'), z.literal(0), yuanAmount('月收入')]).transform(Number).optional(),
  employment: z.enum(employmentTypes, { error: '请选择职业类型' }).optional(),
  creditSelfAssessment: z
    .enum(Object.keys(creditSelfAssessment) as [CreditSelfAssessment, ...CreditSelfAssessment[]], { error: '请选择信用情况' })
    .optional(),
});

/** `PUT /api/v1/profile`: the fields sent are saved, `null` clears one, and fields not sent are kept. */
export const profileUpdateBody = z
  .strictObject({
    housing: profileBody.shape.housing.nullable(),
    monthlyDebt: profileBody.shape.monthlyDebt.nullable(),
    age: profileBody.shape.age.nullable(),
    city: profileBody.shape.city.nullable(),
    monthlyIncome: profileBody.shape.monthlyIncome.nullable(),
    employment: profileBody.shape.employment.nullable(),
    creditSelfAssessment: profileBody.shape.creditSelfAssessment.nullable(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: '请至少提供一项资料', path: ['profile'] });

/** The profile update as the service takes it (amounts in fen), from either door's parsed body. */
export function profileChanges(body: z.infer<typeof profileUpdateBody>) {
  return {
    housing: body.housing,
    monthlyDebtFen: body.monthlyDebt,
    age: body.age,
    city: body.city,
    monthlyIncomeFen: body.monthlyIncome,
    employment: body.employment,
    creditSelfAssessment: body.creditSelfAssessment,
  };
}

export const recommendationQuery = profileBody.extend({
  amount: yuanAmount('借款金额').optional(),
  termMonths: intFrom('期限', 1, 360).optional(),
  purpose: z.enum(purposes, { error: '借款用途无效' }).optional(),
  limit: intFrom('数量', 1, 20).default(6),
});

/** How many products the comparison page shows side by side; more ticked ones are left out with a note. */
export const MAX_COMPARE = 4;

export const compareQuery = z.strictObject({
  ids: manyOf('产品').pipe(z.array(z.string()).min(1, '请至少选择一款产品')),
  amount: yuanAmount('借款金额').optional(),
  termMonths: intFrom('期限', 1, 360).optional(),
});

export const identityBody = z.strictObject({
  realName: z.string({ error: '请输入真实姓名' }).trim().min(1, '请输入真实姓名').max(20, '姓名最多 20 个字'),
  idNumber: z.string({ error: '请输入身份证号' }).trim().min(1, '请输入身份证号').max(18, '身份证号为 18 位'),
});

const releasableFieldNames = Object.keys(releasableFields) as [ReleasableField, ...ReleasableField[]];

export const applicationBody = z.strictObject({
  products: z
    .array(
      z.strictObject({
        productId: z.string({ error: '请选择产品' }).trim().min(1, '请选择产品').max(40),
        amount: yuanAmount('借款金额'),
        termMonths: intFrom('期限', 1, 360),
      }),
      { error: '请至少选择一款产品' },
    )
    .min(1, '请至少选择一款产品')
    .max(10, '一次最多申请 10 款产品'),
  purpose: z.enum(purposes, { error: '请选择借款用途' }),
  /** one entry per institution the consumer agreed to send their data to */
  consents: z
    .array(
      z.strictObject({
        institutionId: z.string({ error: '缺少机构' }).min(1).max(40),
        fields: z.array(z.enum(releasableFieldNames, { error: '未知的授权字段' })).min(1, '请列出授权的信息'),
      }),
      { error: '请逐家确认授权' },
    )
    .max(10),
});

const note = z.string().trim().max(500, '备注最多 500 字').optional();

export const leadStatusBody = z.discriminatedUnion(
  'status',
  [
    z.strictObject({ status: z.literal('reviewing'), note }),
    z.strictObject({
      status: z.literal('approved'),
      offeredAmount: yuanAmount('批准金额'),
      offeredTermMonths: intFrom('批准期限', 1, 360),
      offeredApr: z.coerce
        .number({ error: '年化利率须为小数，如 0.1200' })
        .min(0, '年化利率不能为负')
        .max(0.36, '综合年化利率不得超过 36%')
        .transform((v) => v.toFixed(6)),
      note,
    }),
    z.strictObject({
      status: z.literal('rejected'),
      reason: z.enum(Object.keys(rejectReasons) as [keyof typeof rejectReasons], { error: '请选择拒绝原因' }),
      note,
    }),
    z.strictObject({ status: z.literal('disbursed'), amount: yuanAmount('放款金额'), note }),
  ],
  { error: '状态须为 reviewing、approved、rejected 或 disbursed' },
);

export const statusFilterQuery = z.strictObject({
  status: z.enum(applicationStatuses, { error: '未知的状态' }).optional(),
  institutionId: z.string().max(40).optional(),
});

const clock = z.string({ error: '时间格式为 HH:MM' }).regex(/^([01]\d|2[0-3]):([0-5]\d)$/, '时间格式为 HH:MM，如 22:00');
export const contactPreferencesBody = z.strictObject({
  allowSms: z.boolean({ error: '须为 true 或 false' }),
  allowCall: z.boolean({ error: '须为 true 或 false' }),
  quietStart: clock,
  quietEnd: clock,
});
export const contactBlockBody = z.strictObject({
  institutionId: z.string({ error: '缺少机构' }).min(1).max(40),
  blocked: z.boolean({ error: '须为 true 或 false' }),
});

export const closeAccountBody = z.strictObject({
  password: z.string({ error: '请输入密码' }).min(1, '请输入密码').max(128),
});

const isoDay = z.iso.date({ error: '日期格式为 YYYY-MM-DD' });
export const leadFilterQuery = z.strictObject({
  status: z.enum(applicationStatuses, { error: '未知的状态' }).optional(),
  productId: z.string().max(40).optional(),
  from: isoDay.optional(),
  to: isoDay.optional(),
  minAmount: yuanAmount('最低金额').optional(),
  maxAmount: yuanAmount('最高金额').optional(),
  creditBand: z.enum(Object.keys(creditSelfAssessment) as [CreditSelfAssessment, ...CreditSelfAssessment[]], { error: '未知的信用档位' }).optional(),
  region: z.string().trim().max(20).optional(),
  q: z.string().trim().max(40).optional(),
  stale: booleanFlag.optional(),
  queue: z.enum(['normal', 'fast'], { error: '队列为 normal 或 fast' }).optional(),
});

export const prescreenRuleBody = z.strictObject({
  name: z.string({ error: '请填写规则名称' }).trim().min(1, '请填写规则名称').max(40, '最多 40 字'),
  field: z.enum(['creditScore', 'monthlyIncome', 'age', 'amount', 'city'], { error: '请选择字段' }),
  operator: z.enum(['>=', '>', '<=', '<', 'in', 'not_in'], { error: '请选择条件' }),
  value: z.string({ error: '请填写取值' }).trim().min(1, '请填写取值').max(200),
  action: z.enum(['fast_queue', 'decline'], { error: '请选择动作' }),
  rejectReason: z.enum(Object.keys(rejectReasons) as [keyof typeof rejectReasons], { error: '请选择拒绝原因' }).optional(),
  priority: intFrom('优先级', 1, 1000).default(100),
});

export const bulkLeadBody = z.strictObject({
  ids: z.array(z.string().min(1).max(40)).min(1, '请至少选择一条线索').max(200, '一次最多处理 200 条'),
  status: z.enum(['reviewing', 'rejected'], { error: '批量操作只能开始审核或拒绝' }),
  reason: z.enum(Object.keys(rejectReasons) as [keyof typeof rejectReasons], { error: '请选择拒绝原因' }).optional(),
});

export const messageBody = z.strictObject({
  body: z.string({ error: '请输入内容' }).trim().min(1, '请输入内容').max(1000, '最多 1000 字'),
});

export const bankCardBody = z.strictObject({
  cardNumber: z.string({ error: '请输入银行卡号' }).trim().min(1, '请输入银行卡号').max(30, '银行卡号过长'),
});

// ── feedback: complaints and reviews ──────────────────────────────────────────────────────
export const complaintBody = z.strictObject({
  category: z.enum(complaintCategories, { error: '请选择投诉类型' }),
  subject: z.string({ error: '请填写标题' }).trim().min(2, '标题至少 2 个字').max(60, '标题最多 60 字'),
  description: z.string({ error: '请描述问题' }).trim().min(10, '请至少用 10 个字描述问题').max(2000, '最多 2000 字'),
  // deliberately: an empty choice (the form's 「不涉及具体申请」, or `""` from an app) means no
  // application, as if the field were absent: the complaint is about the platform
  applicationId: z
    .string({ error: '申请编号须为文本' })
    .trim()
    .max(40, '申请编号无效')
    .transform((v) => v || undefined)
    .optional(),
});

export const complaintStatusBody = z.strictObject({
  status: z.enum(complaintStatuses, { error: '请选择状态' }),
  note: z.string().trim().max(500, '最多 500 字').optional(),
});

export const reviewBody = z.strictObject({
  rating: intFrom('评分', 1, 5),
  body: z.string({ error: '请填写评价' }).trim().min(5, '评价至少 5 个字').max(1000, '评价最多 1000 字'),
});

export const reviewModerationBody = z.strictObject({
  decision: z.enum(['approved', 'rejected'], { error: '请选择通过或拒绝' }),
  reason: z.string().trim().max(200, '最多 200 字').optional(),
});
