import { creditAnswersBody, creditAnswersOf, CREDIT_ESTIMATE_NOTICE } from '../../server/http/api/consumer/credit.schemas';
import { formFailure } from '../../server/http/form-failure';
import { guard, page, type PageContext } from '../../server/http/page-route';
import { requestOrigin } from '../../server/http/request-origin';
import { parse } from '../../server/http/validate';
import { shanghaiDate } from '../../server/lib/shanghai-date';
import { employmentTypes } from '../../server/modules/catalogue';
import { assetLabels, creditBandLabels, incomeProofLabels, overdueLabels, type CreditAnswers } from '../../server/modules/credit';
import { lineChart } from '../charts';

type Consumer = PageContext<typeof guard.consumer, string, undefined>;
type FormValues = Record<string, string | string[] | undefined>;

/** The questionnaire's answers as the form shows them (yuan, 1/0). */
function formValuesOf(a: CreditAnswers): FormValues {
  return {
    monthlyIncome: (a.monthlyIncomeFen / 100).toFixed(2),
    incomeProof: a.incomeProof,
    employment: a.employment,
    tenureMonths: String(a.tenureMonths),
    housingFundPaid: a.housingFundPaid ? '1' : '0',
    housingFundMonths: String(a.housingFundMonths),
    socialInsurancePaid: a.socialInsurancePaid ? '1' : '0',
    monthlyDebt: (a.monthlyDebtFen / 100).toFixed(2),
    creditCards: String(a.creditCards),
    cardUtilisationPercent: String(a.cardUtilisationPercent),
    overdue: a.overdue,
    inquiries6m: String(a.inquiries6m),
    assets: a.assets,
  };
}

const options = (labels: Record<string, string>, chosen: unknown) =>
  Object.entries(labels).map(([value, label]) => ({ value, label, checked: Array.isArray(chosen) ? chosen.includes(value) : chosen === value }));
const yesNo = (chosen: unknown) => [
  { value: '1', label: '是', checked: chosen === '1' },
  { value: '0', label: '否', checked: chosen === '0' },
];

/** The 信用评估 page: the questionnaire, the latest result with its factors and tips, the history as a chart. */
async function showCredit(ctx: Consumer, values?: FormValues, extra: Record<string, unknown> = {}) {
  const { principal, services, render } = ctx;
  const current = await services.credit.current(principal.account.id);
  const history = await services.credit.history(principal.account.id);
  const v = values ?? (current ? formValuesOf(current.answers) : {});
  const oldestFirst = [...history].reverse();
  await render('credit', {
    title: '信用评估',
    notice: CREDIT_ESTIMATE_NOTICE,
    current: current && { ...current, bandLabel: creditBandLabels[current.band], raised: current.factors.filter((f) => f.points > 0), lowered: current.factors.filter((f) => f.points < 0), dtiPercent: current.debtToIncome === null ? null : Math.round(current.debtToIncome * 100) },
    history: history.map((h) => ({ ...h, bandLabel: creditBandLabels[h.band] })),
    chart:
      history.length > 1
        ? lineChart(
            oldestFirst.map((h) => shanghaiDate(h.at)),
            [{ name: '参考分', values: oldestFirst.map((h) => h.score) }],
            { title: '参考分变化（350–950）', labelHeading: '日期' },
          )
        : null,
    values: v,
    employment: employmentTypes.map((e) => ({ value: e, label: e, checked: v.employment === e })),
    incomeProof: options(incomeProofLabels, v.incomeProof),
    overdue: options(overdueLabels, v.overdue),
    assets: options(assetLabels, v.assets),
    housingFundPaid: yesNo(v.housingFundPaid),
    socialInsurancePaid: yesNo(v.socialInsurancePaid),
    ...extra,
  });
}

/** `/account/credit`: 信用评估, the platform's own estimate from the borrower's answers. */
export const creditPages = [
  page({ method: 'get', path: '/account/credit', guard: guard.consumer, handler: (ctx) => showCredit(ctx) }),
  page({
    method: 'post',
    path: '/account/credit',
    guard: guard.consumer,
    handler: async (ctx) => {
      const { req, res, services, kit } = ctx;
      const { _csrf, ...raw } = req.body as Record<string, string | string[]>;
      void _csrf;
      // blank fields count as not answered, so the form names them
      const fields = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
      try {
        const body = parse(creditAnswersBody, fields, '信用评估信息有误');
        const assessed = await services.credit.assess(requestOrigin(kit, req, res, 'web'), creditAnswersOf(body));
        req.session.flash = { kind: 'success', message: `评估完成：参考分 ${assessed.score}（${creditBandLabels[assessed.band]}）` };
        res.redirect(303, '/account/credit#result');
      } catch (err) {
        const error = formFailure(res, err);
        await showCredit(ctx, raw, { error });
      }
    },
  }),
];
