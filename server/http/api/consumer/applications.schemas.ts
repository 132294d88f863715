import { z } from 'zod';
import { releasableFields, type ReleasableField } from '../../../modules/consents';
import { intFrom, yuanAmount } from '../../validate';
import { instant, ref } from '../responses';

/** Applying (one or many products, one consent per institution) and the messages on an application. */

export const purposes = ['消费', '装修', '教育', '医疗', '旅游', '经营周转', '购车', '其他'] as const;

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

export const messageBody = z.strictObject({
  body: z.string({ error: '请输入内容' }).trim().min(1, '请输入内容').max(1000, '最多 1000 字'),
});

/* What the applying routes answer (the applications themselves: ../responses.ts). */

export const consentPreviewResponse = z.object({
  consents: z.array(
    z.object({
      institutionId: z.string(),
      institutionName: z.string(),
      products: z.array(ref),
      purpose: z.string(),
      fields: z.array(z.string()),
      fieldLabels: z.array(z.string()).describe('the fields in words, in the same order'),
    }),
  ),
});

export const dataReleasesResponse = z.object({
  items: z.array(
    z.object({
      consentId: z.string(),
      institution: ref,
      applicationId: z.string().nullable(),
      purpose: z.string(),
      fields: z.array(z.string()),
      grantedAt: instant,
      withdrawnAt: instant.nullable(),
      releases: z.array(z.object({ fields: z.array(z.string()), channel: z.string(), at: instant })),
    }),
  ),
});

export const consentWithdrawnResponse = z.object({ consentId: z.string(), withdrawnAt: instant.nullable() });
