import { ValidationError } from '../../../lib/errors';
import { formatWan } from '../../../lib/money';
import { MIN_FIT_DECISIONS, MIN_PRODUCT_DECISIONS } from '../../../modules/odds';
import { guard, route, type ApiRoute } from '../route-table';
import { calibrationJson, calibrationResponse, oddsJson, oddsResponse, productOddsQuery } from './odds.schemas';

/** `/api/v1` 下款概率: one product's odds for the signed-in borrower, and how good the model is. */
export const consumerOddsRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/products/:id/odds',
    guard: guard.consumer,
    summary: '下款概率 of one listed product for the signed-in borrower: a band and a range, an estimate and never a promise',
    description:
      'From the borrower’s profile, identity age and latest 信用评估 against the product, with the model in use (`basis: model`) when the product has enough decided applications, else the prior from its stated criteria and the institution’s recent approval rate (`band: 数据不足`, `basis: prior`). A stated rule that rules the borrower out gives 0–10%. `amount` (yuan) must be within the product’s range and `termMonths` one of its terms; without `amount` the odds are for ¥50,000 within the range. The same odds ride on the product list, compare, recommendations and the precheck.',
    query: productOddsQuery,
    queryError: '查询参数有误',
    responseDescription: '{ band, low, high, basis, decisions }',
    response: oddsResponse,
    handler: async ({ params, query, principal: { account }, services }) => {
      const product = services.catalogue.getListed(params.id);
      const problems: Record<string, string> = {};
      if (query.amount !== undefined && (query.amount < product.minAmountFen || query.amount > product.maxAmountFen)) {
        problems.amount = `借款金额需在 ${formatWan(product.minAmountFen)} 至 ${formatWan(product.maxAmountFen)} 之间`;
      }
      if (query.termMonths !== undefined && !product.termOptions.includes(query.termMonths)) problems.termMonths = `可选期限：${product.termOptions.join('、')} 个月`;
      if (Object.keys(problems).length) throw new ValidationError('查询参数有误', problems);
      const odds = await services.odds.forBorrower(account.id, [product], { amountFen: query.amount });
      return oddsJson(odds.get(product.id)!);
    },
  }),
  route({
    method: 'get',
    path: '/odds/calibration',
    guard: guard.public,
    summary: 'How good the 下款概率 model in use is, on decided applications it did not see: Brier score, log loss and calibration against the base rate',
    description:
      'The model is fitted nightly on the platform’s decided applications; 20% (chosen by a hash of each id) are held out and the scores are measured on them, for the model and for the base-rate model (the training approval rate for everyone). `fitted: false` when there are too few decided applications: every product then shows 数据不足.',
    responseDescription: '{ fitted, fittedAt, decisions, heldOut, baseRate, brier, logLoss, expectedCalibrationError, reliability, minDecisions, minProductDecisions }',
    response: calibrationResponse,
    handler: async ({ services }) => {
      const fit = await services.odds.currentFit();
      return calibrationJson(fit && { fittedAt: fit.row.fittedAt, model: fit.model }, { minDecisions: MIN_FIT_DECISIONS, minProductDecisions: MIN_PRODUCT_DECISIONS });
    },
  }),
];
