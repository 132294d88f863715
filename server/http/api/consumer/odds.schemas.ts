import { z } from 'zod';
import type { Odds, OddsModel } from '../../../modules/odds';
import { intFrom, yuanAmount } from '../../validate';

/** `GET /api/v1/products/:id/odds`: the amount (yuan) and term asked; both optional. */
export const productOddsQuery = z.strictObject({
  amount: yuanAmount('借款金额').optional(),
  termMonths: intFrom('期限', 1, 360).optional(),
});

/** 下款概率 of one product for the signed-in borrower (the precheck, lists, compare and recommendations carry the same). */
export const oddsResponse = z
  .object({
    band: z.enum(['高', '中', '低', '数据不足']).describe('数据不足: too few decided applications of this product; the range is the prior from its stated criteria'),
    low: z.number().min(0).max(1).describe('the range’s low end, fraction'),
    high: z.number().min(0).max(1).describe('the range’s high end, fraction'),
    basis: z.enum(['model', 'prior']).describe('model: the fitted model (GET /api/v1/odds/calibration); prior: the product’s stated criteria and the institution’s recent approval rate'),
    decisions: z.number().int().describe('decided applications of this product the answer rests on'),
  })
  .describe('下款概率: how often people like this borrower were approved, an estimate and never a promise');

export const oddsJson = (o: Odds): z.input<typeof oddsResponse> => ({ band: o.band, low: o.low, high: o.high, basis: o.basis, decisions: o.decisions });

const score = z.object({ model: z.number(), baseRate: z.number().describe('the base-rate model: the training approval rate for everyone') });

/** `GET /api/v1/odds/calibration`: how good the model in use is, on decisions it did not see. */
export const calibrationResponse = z.object({
  fitted: z.boolean().describe('false: no model yet (too few decided applications); every product shows 数据不足'),
  fittedAt: z.string().nullable().describe('ISO 8601 instant of the fit'),
  decisions: z.number().int().describe('decided applications fitted on and held out'),
  heldOut: z.number().int().describe('decided applications held out (20%, by a hash of the id) to measure the model on'),
  baseRate: z.number().nullable().describe('the training approval rate'),
  brier: score.nullable().describe('mean squared error of the probability on held-out decisions; lower is better'),
  logLoss: score.nullable().describe('on held-out decisions; lower is better'),
  expectedCalibrationError: score.nullable().describe('Σ (count / n) · |observed − mean predicted| over the reliability bins'),
  reliability: z
    .array(
      z.object({
        from: z.number(),
        to: z.number(),
        meanPredicted: z.number().nullable().describe('null when the bin is empty'),
        observedRate: z.number().nullable(),
        count: z.number().int(),
      }),
    )
    .describe('10 bins of predicted probability on held-out decisions; empty when there is no model'),
  minDecisions: z.number().int().describe('decided applications needed before a model is fitted'),
  minProductDecisions: z.number().int().describe('a product with fewer decided applications shows 数据不足'),
});

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function calibrationJson(fit: { fittedAt: Date; model: OddsModel } | null, limits: { minDecisions: number; minProductDecisions: number }): z.input<typeof calibrationResponse> {
  if (!fit) return { fitted: false, fittedAt: null, decisions: 0, heldOut: 0, baseRate: null, brier: null, logLoss: null, expectedCalibrationError: null, reliability: [], ...limits };
  const c = fit.model.calibration;
  return {
    fitted: true,
    fittedAt: fit.fittedAt.toISOString(),
    decisions: fit.model.trainingDecisions + c.heldOut,
    heldOut: c.heldOut,
    baseRate: r6(c.baseRate),
    brier: { model: r6(c.model.brier), baseRate: r6(c.baseRateModel.brier) },
    logLoss: { model: r6(c.model.logLoss), baseRate: r6(c.baseRateModel.logLoss) },
    expectedCalibrationError: { model: r6(c.model.expectedCalibrationError), baseRate: r6(c.baseRateModel.expectedCalibrationError) },
    reliability: c.model.reliability.map((b) => ({
      from: r6(b.from),
      to: r6(b.to),
      meanPredicted: b.meanPredicted === null ? null : r6(b.meanPredicted),
      observedRate: b.observedRate === null ? null : r6(b.observedRate),
      count: b.count,
    })),
    ...limits,
  };
}
