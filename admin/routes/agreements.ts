import Decimal from 'decimal.js';
import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { withConfirmation } from '../../server/http/confirm';
import { parse } from '../../server/http/validate';
import { NotFoundError, ValidationError } from '../../server/lib/errors';
import { formatYuan, parseYuan } from '../../server/lib/money';
import {
  commissionRules,
  shanghaiDate,
  shanghaiMidnight,
  type Agreement,
  type AgreementInput,
  type AgreementTier,
  type CommissionRule,
} from '../../server/modules/settlement';
import { applicationPage, type PageTools } from './application-page';
import { operatorCan } from '../../server/modules/accounts';
import { formFailure } from '../../server/http/form-failure';

/** What the new-version form sends: every field a string, nothing else accepted. */
const agreementForm = z
  .object({
    _csrf: z.string().optional(),
    cpl: z.string().default(''),
    cpa: z.string().default(''),
    cpsRate: z.string().default(''),
    cplTiers: z.string().default(''),
    cpaTiers: z.string().default(''),
    cpsTiers: z.string().default(''),
    cpsEventCap: z.string().default(''),
    cplMonthlyCap: z.string().default(''),
    cpaMonthlyCap: z.string().default(''),
    cpsMonthlyCap: z.string().default(''),
    reversalWindowDays: z.string().default(''),
    effectiveFrom: z.string().default(''),
    effectiveTo: z.string().default(''),
    note: z.string().max(200, '备注最多 200 字').default(''),
  })
  .strict();
type AgreementForm = z.output<typeof agreementForm>;

const percentPattern = /^\d{1,2}(\.\d{1,4})?$/;
const toRate = (percent: string) => new Decimal(percent).div(100).toFixed();

/** One tier line's value: a percentage for CPS, yuan per event otherwise; null when it is not one. */
function tierFrom(rule: CommissionRule, fromCount: number, value: string): AgreementTier | null {
  if (rule === 'cps') return percentPattern.test(value) ? { rule, fromCount, rate: toRate(value) } : null;
  const amount = parseYuan(value, { sign: 'non_negative' });
  return amount.ok ? { rule, fromCount, amountFen: amount.fen } : null;
}

/** The form → a new version's terms, every problem named by its field. */
export function agreementFromForm(institutionId: string, form: AgreementForm): AgreementInput {
  const problems: Record<string, string> = {};
  const money = (field: keyof AgreementForm, label: string, optional: boolean): number | null => {
    const text = form[field]!.trim();
    if (text === '') {
      if (!optional) problems[field] = `请填写${label}（没有则填 0）`;
      return optional ? null : 0;
    }
    const amount = parseYuan(text, { label, sign: 'non_negative' });
    if (!amount.ok) {
      problems[field] = amount.reason;
      return null;
    }
    return amount.fen;
  };
  const cplFen = money('cpl', 'CPL', false) ?? 0;
  const cpaFen = money('cpa', 'CPA', false) ?? 0;
  let cpsRate = '0';
  const cpsText = form.cpsRate.trim();
  if (cpsText === '') problems.cpsRate = '请填写 CPS 比例（没有则填 0）';
  else if (!percentPattern.test(cpsText)) problems.cpsRate = 'CPS 比例须为百分数，如 1.5，最多 4 位小数';
  else cpsRate = toRate(cpsText);

  const tiers: AgreementTier[] = [];
  for (const rule of commissionRules) {
    const field = `${rule}Tiers` as const;
    for (const line of form[field].split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
      const m = /^(\d{1,7})\s*[=:：\s]\s*([\d.]+)%?$/.exec(line);
      const tier = m ? tierFrom(rule, Number(m[1]), m[2]!) : null;
      if (!tier) {
        problems[field] = `每行一个阶梯，如「101=${rule === 'cps' ? '1.2' : '15'}」：从本月第 101 笔起${rule === 'cps' ? '按 1.2%' : '每笔 15 元'}`;
        break;
      }
      tiers.push(tier);
    }
  }
  const cpsEventCapFen = money('cpsEventCap', 'CPS 单笔封顶', true);
  const cplMonthlyCapFen = money('cplMonthlyCap', 'CPL 月度封顶', true);
  const cpaMonthlyCapFen = money('cpaMonthlyCap', 'CPA 月度封顶', true);
  const cpsMonthlyCapFen = money('cpsMonthlyCap', 'CPS 月度封顶', true);

  let reversalWindowDays = 30;
  if (!/^\d{1,3}$/.test(form.reversalWindowDays.trim())) problems.reversalWindowDays = '冲回期限须为 0 至 365 的整数天数';
  else reversalWindowDays = Number(form.reversalWindowDays.trim());

  const effectiveFrom = shanghaiMidnight(form.effectiveFrom.trim());
  if (!effectiveFrom) problems.effectiveFrom = '请选择生效日期（YYYY-MM-DD）';
  let effectiveTo: Date | null = null;
  if (form.effectiveTo.trim() !== '') {
    effectiveTo = shanghaiMidnight(form.effectiveTo.trim()) ?? null;
    if (!effectiveTo) problems.effectiveTo = '失效日期格式应为 YYYY-MM-DD，或留空';
  }
  if (Object.keys(problems).length) throw new ValidationError('协议条款有误，请检查标出的字段', problems);
  return {
    institutionId,
    cplFen,
    cpaFen,
    cpsRate,
    tiers,
    cpsEventCapFen,
    cplMonthlyCapFen,
    cpaMonthlyCapFen,
    cpsMonthlyCapFen,
    reversalWindowDays,
    effectiveFrom: effectiveFrom!,
    effectiveTo,
    note: form.note.trim(),
  };
}

const yuanText = (fen: number | null) => (fen === null ? '' : (fen / 100).toFixed(2).replace(/\.00$/, ''));
const percentText = (rate: string) => new Decimal(rate).times(100).toFixed();

/** The form, prefilled from a version (the one in force, so a change starts from what is agreed now). */
function formValues(a: Agreement | undefined, effectiveFrom: string): Record<string, string> {
  const tierLines = (rule: CommissionRule) =>
    (a?.tiers ?? [])
      .filter((t) => t.rule === rule)
      .map((t) => `${t.fromCount}=${'rate' in t ? percentText(t.rate) : yuanText(t.amountFen)}`)
      .join('\n');
  return {
    cpl: a ? yuanText(a.cplFen) : '0',
    cpa: a ? yuanText(a.cpaFen) : '0',
    cpsRate: a ? percentText(a.cpsRate) : '0',
    cplTiers: tierLines('cpl'),
    cpaTiers: tierLines('cpa'),
    cpsTiers: tierLines('cps'),
    cpsEventCap: yuanText(a?.cpsEventCapFen ?? null),
    cplMonthlyCap: yuanText(a?.cplMonthlyCapFen ?? null),
    cpaMonthlyCap: yuanText(a?.cpaMonthlyCapFen ?? null),
    cpsMonthlyCap: yuanText(a?.cpsMonthlyCapFen ?? null),
    reversalWindowDays: String(a?.reversalWindowDays ?? 30),
    effectiveFrom,
    effectiveTo: '',
    note: '',
  };
}

/** One line per rule for tables: "CPS 1.50%，第 101 笔起 1.20%，单笔封顶 ¥800.00，月封顶 …" */
export function termsSummary(a: Agreement): { rule: string; text: string }[] {
  const tiers = (rule: CommissionRule) =>
    a.tiers
      .filter((t) => t.rule === rule)
      .sort((x, y) => x.fromCount - y.fromCount)
      .map((t) => `，第 ${t.fromCount} 笔起 ${'rate' in t ? `${(Number(t.rate) * 100).toFixed(2)}%` : formatYuan(t.amountFen)}`)
      .join('');
  const cap = (fen: number | null, label: string) => (fen === null ? '' : `，${label} ${formatYuan(fen)}`);
  return [
    { rule: 'CPL', text: `每条线索 ${formatYuan(a.cplFen)}${tiers('cpl')}${cap(a.cplMonthlyCapFen, '月封顶')}` },
    { rule: 'CPA', text: `每笔审批 ${formatYuan(a.cpaFen)}${tiers('cpa')}${cap(a.cpaMonthlyCapFen, '月封顶')}` },
    {
      rule: 'CPS',
      text: `放款额 ${(Number(a.cpsRate) * 100).toFixed(2)}%${tiers('cps')}${cap(a.cpsEventCapFen, '单笔封顶')}${cap(a.cpsMonthlyCapFen, '月封顶')}`,
    },
  ];
}

const tomorrow = () => shanghaiDate(new Date(Date.now() + 24 * 3600_000));

async function history({ services, render }: PageTools, institutionId: string, extra: { error?: unknown; values?: Record<string, string> } = {}) {
  const institution = (await services.institutions.list()).find((i) => i.id === institutionId);
  if (!institution) throw new NotFoundError('机构');
  const versions = await services.settlement.agreementsOf(institutionId);
  const now = Date.now();
  const current = versions.find((v) => v.effectiveFrom.getTime() <= now && (v.effectiveTo === null || v.effectiveTo.getTime() > now));
  const latest = versions[0];
  const firstFree = latest && latest.effectiveFrom.getTime() >= now ? shanghaiDate(new Date(latest.effectiveFrom.getTime() + 24 * 3600_000)) : tomorrow();
  await render('institution-agreements', {
    title: `${institution.shortName} · 合作协议`,
    institution,
    versions: versions.map((v) => ({
      ...v,
      terms: termsSummary(v),
      fromDate: shanghaiDate(v.effectiveFrom),
      toDate: v.effectiveTo ? shanghaiDate(v.effectiveTo) : null,
      inForce: v.id === current?.id,
      scheduled: v.effectiveFrom.getTime() > now,
    })),
    values: extra.values ?? formValues(current ?? latest, firstFree),
    error: extra.error,
  });
}

const reverseBody = z
  .object({
    _csrf: z.string().optional(),
    sourceKey: z.string({ error: '请选择要冲回的佣金' }).min(1, '请选择要冲回的佣金'),
    reason: z.string({ error: '请填写冲回原因' }).trim().min(2, '请填写冲回原因（至少 2 个字）').max(200, '原因最多 200 字'),
  })
  .strict();

/**
 * `/admin/agreements` and `/admin/institutions/:id/agreements`: commission agreements by
 * version (list, history with who created each, a form for a new version), and the operator's
 * reversal of a commission on `/admin/applications/:id`.
 */
export const agreementPages = [
  page({
    method: 'get',
    path: '/agreements',
    guard: guard.operator('agreements.manage'),
    handler: async ({ services, render }) => {
      const rows = await services.settlement.agreementOverview(new Date());
      await render('agreements', {
        title: '合作协议',
        rows: rows.map((row) => ({ ...row, terms: row.current ? termsSummary(row.current) : [] })),
      });
    },
  }),
  page({ method: 'get', path: '/institutions/:id/agreements', guard: guard.operator('agreements.manage'), handler: (ctx) => history(ctx, ctx.params.id) }),
  page({
    method: 'post',
    path: '/institutions/:id/agreements',
    guard: guard.operator('agreements.manage'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      const institutionId = params.id;
      try {
        const form = parse(agreementForm, req.body, '协议条款有误');
        const created = await services.settlement.createAgreement(agreementFromForm(institutionId, form), { actor: auditActor(req) });
        req.session.flash = { kind: 'success', message: `已创建第 ${created.version} 版协议，${shanghaiDate(created.effectiveFrom)} 起生效` };
        res.redirect(303, `/admin/institutions/${encodeURIComponent(institutionId)}/agreements`);
      } catch (err) {
        const error = formFailure(res, err);
        const values = Object.fromEntries(Object.entries(req.body as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]));
        await history(ctx, institutionId, { error, values });
      }
    },
  }),
  page({
    method: 'post',
    path: '/applications/:id/commissions/reverse',
    guard: guard.operator('agreements.manage'),
    handler: async (ctx) => {
      const { params: { id }, principal, req, res, services } = ctx;
      try {
        const body = withConfirmation(req.body, (rest) => parse(reverseBody, rest, '冲回信息有误'));
        const accruals = await services.settlement.accrualsForApplication(id);
        if (!accruals.some((a) => a.sourceKey === body.sourceKey)) throw new NotFoundError('佣金');
        const result = await services.settlement.reverse(body.sourceKey, body.reason, auditActor(req));
        req.session.flash = {
          kind: 'success',
          message: result.outcome === 'already_reversed' ? '该佣金此前已冲回' : `已冲回 ${formatYuan(result.amountFen)}`,
        };
        res.redirect(303, `/admin/applications/${encodeURIComponent(id)}`);
      } catch (err) {
        // the page shows the application: only to those who may see applications; the others get the error alone
        if (!operatorCan(principal.account, 'applications.view')) throw err;
        const error = formFailure(res, err);
        await applicationPage(ctx, id, { error, reverseValues: req.body });
      }
    },
  }),
];
