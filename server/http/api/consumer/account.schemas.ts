import { z } from 'zod';
import { creditSelfAssessment, employmentTypes, type CreditSelfAssessment } from '../../../modules/catalogue';
import { intFrom, yuanAmount } from '../../validate';
import { instant, profileResponse } from '../responses';

/** The consumer's own account: profile, identity, contact preferences, bank card, closing. Strict: unknown fields are refused. */

export const housingTypes = ['自有住房', '按揭', '租房', '与父母同住', '其他'] as const;

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

export const identityBody = z.strictObject({
  realName: z.string({ error: '请输入真实姓名' }).trim().min(1, '请输入真实姓名').max(20, '姓名最多 20 个字'),
  idNumber: z.string({ error: '请输入身份证号' }).trim().min(1, '请输入身份证号').max(18, '身份证号为 18 位'),
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

export const bankCardBody = z.strictObject({
  cardNumber: z.string({ error: '请输入银行卡号' }).trim().min(1, '请输入银行卡号').max(30, '银行卡号过长'),
});

/* What the account routes answer. */

export const notificationsResponse = z.object({
  unread: z.number().int(),
  items: z.array(z.object({ id: z.string(), kind: z.string(), title: z.string(), body: z.string(), link: z.string().nullable(), read: z.boolean(), at: instant })),
});

export const contactPreferencesResponse = z.object({
  allowSms: z.boolean(),
  allowCall: z.boolean(),
  allowInApp: z.boolean(),
  quietStart: z.string().describe('HH:MM, Asia/Shanghai'),
  quietEnd: z.string().describe('HH:MM, Asia/Shanghai'),
  blockedInstitutionIds: z.array(z.string()).describe('institutions asked to stop contacting the consumer'),
});

export const identitySummaryResponse = z.object({
  verified: z.boolean(),
  realNameMasked: z.string().optional(),
  idNumberMasked: z.string().optional(),
  age: z.number().int().optional(),
  verifiedAt: instant.optional(),
});

export const bankCardResponse = z.object({ bankCard: z.object({ cardMasked: z.string() }).nullable() });
export const bankCardRevealResponse = z.object({ cardNumber: z.string() });
export const identityRevealResponse = z.object({ realName: z.string(), idNumber: z.string() });

const releaseResponse = z.object({ fields: z.array(z.string()), channel: z.string(), at: instant });

/** Everything held about the consumer (data portability). */
export const exportResponse = z.object({
  exportedAt: instant,
  account: z.object({ id: z.string(), phone: z.string().nullable() }),
  identity: z.object({ realName: z.string(), idNumber: z.string(), verifiedAt: instant.optional() }).nullable(),
  profile: profileResponse.omit({ updatedAt: true }),
  contactPreferences: contactPreferencesResponse,
  creditAssessments: z
    .array(
      z.object({
        score: z.number().int(),
        band: z.string(),
        source: z.enum(['self_reported', 'bureau']),
        at: instant,
        answers: z.object({
          monthlyIncome: z.number().describe('yuan'),
          incomeProof: z.string(),
          employment: z.string(),
          tenureMonths: z.number().int(),
          housingFundPaid: z.boolean(),
          housingFundMonths: z.number().int(),
          socialInsurancePaid: z.boolean(),
          monthlyDebt: z.number().describe('yuan'),
          creditCards: z.number().int(),
          cardUtilisationPercent: z.number().int(),
          overdue: z.string(),
          inquiries6m: z.number().int(),
          assets: z.array(z.string()),
        }),
      }),
    )
    .describe('every 信用评估 with the answers it was scored on, newest first'),
  applications: z.array(
    z.object({
      id: z.string(),
      product: z.string(),
      institution: z.string(),
      amount: z.number().describe('yuan'),
      termMonths: z.number().int(),
      purpose: z.string().nullable(),
      status: z.string(),
      createdAt: instant,
      timeline: z.array(z.object({ status: z.string(), at: instant, note: z.string().nullable() })),
    }),
  ),
  consents: z.array(
    z.object({ institution: z.string(), purpose: z.string(), fields: z.array(z.string()), grantedAt: instant, withdrawnAt: instant.nullable(), releases: z.array(releaseResponse) }),
  ),
  loans: z
    .array(
      z.object({
        id: z.string(),
        applicationId: z.string(),
        product: z.string(),
        institution: z.string(),
        principal: z.number().describe('yuan'),
        annualRate: z.string(),
        termMonths: z.number().int(),
        method: z.string(),
        status: z.string(),
        disbursedAt: instant,
        scheduleVersion: z.number().int().describe('1 until an extension or restructuring was accepted'),
        instalments: z.array(z.object({ period: z.number().int(), dueDate: z.string(), amount: z.number().describe('yuan'), paid: z.number().describe('yuan'), status: z.string() })),
        repayments: z.array(z.object({ transactionId: z.string(), amount: z.number().describe('yuan'), paidAt: instant })),
      }),
    )
    .describe('the loans taken through the platform, on their current schedule, with the repayments'),
  complaints: z.array(
    z.object({
      id: z.string(),
      category: z.string(),
      subject: z.string(),
      description: z.string(),
      institution: z.string().nullable(),
      status: z.string(),
      createdAt: instant,
      timeline: z.array(z.object({ by: z.string(), status: z.string().nullable(), body: z.string().nullable(), at: instant })).describe('what the consumer may read of it'),
    }),
  ),
  reviews: z.array(z.object({ product: z.string(), institution: z.string(), rating: z.number().int(), body: z.string(), status: z.string(), at: instant })),
  feedback: z.array(
    z.object({ category: z.string(), body: z.string(), page: z.string().nullable(), status: z.string(), answer: z.string().nullable(), answeredAt: instant.nullable(), at: instant }),
  ),
  conversations: z
    .array(
      z.object({
        number: z.string(),
        group: z.string(),
        status: z.string(),
        createdAt: instant,
        closedAt: instant.nullable(),
        rating: z.number().int().nullable(),
        messages: z.array(z.object({ by: z.string(), body: z.string(), at: instant })),
      }),
    )
    .describe('在线客服 conversations, without the agents’ internal notes'),
  notifications: z.array(z.object({ title: z.string(), body: z.string(), at: instant })),
});
