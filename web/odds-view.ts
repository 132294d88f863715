import type { Odds, OddsModel } from '../server/modules/odds';
import { HIGH_FROM, MEDIUM_FROM, MIN_FIT_DECISIONS, MIN_PRODUCT_DECISIONS } from '../server/modules/odds';
import { reliabilityChart } from './charts';

const pct = (x: number) => `${Math.round(x * 100)}%`;
const num = (x: number, digits = 3) => x.toFixed(digits);

/** 下款概率 as a small label on a card or the product page: the band and the range, marked as an estimate. */
export function oddsLabel(o: Pick<Odds, 'band' | 'low' | 'high' | 'basis' | 'decisions'>): { band: string; range: string; basis: string; title: string; level: string } {
  return {
    band: o.band,
    range: `${pct(o.low)}–${pct(o.high)}`,
    basis: o.basis,
    level: { 高: 'high', 中: 'medium', 低: 'low', 数据不足: 'unknown' }[o.band],
    title:
      o.basis === 'model'
        ? `根据平台 ${o.decisions} 笔已审批申请估算，仅供参考，以机构审核为准`
        : o.band === '数据不足'
          ? '该产品已审批的申请还不多，按产品公开条件和机构近期审批情况估算，仅供参考'
          : '按产品公开的申请条件估算，仅供参考',
  };
}

/** What /odds and /admin/odds show about the model in use: its held-out scores against the base rate and the reliability diagram. */
export function calibrationView(fit: { fittedAt: Date; model: OddsModel } | null) {
  const limits = { minDecisions: MIN_FIT_DECISIONS, minProductDecisions: MIN_PRODUCT_DECISIONS, high: pct(HIGH_FROM), medium: pct(MEDIUM_FROM) };
  if (!fit) return { fitted: false as const, ...limits, chart: reliabilityChart([], { title: '校准图（留出数据）' }) };
  const c = fit.model.calibration;
  const better = (model: number, base: number) => (base > 0 ? `${Math.round((1 - model / base) * 100)}%` : '—');
  return {
    fitted: true as const,
    ...limits,
    fittedAt: fit.fittedAt,
    decisions: fit.model.trainingDecisions + c.heldOut,
    trainingDecisions: fit.model.trainingDecisions,
    heldOut: c.heldOut,
    baseRate: pct(c.baseRate),
    brier: { model: num(c.model.brier), baseRate: num(c.baseRateModel.brier), better: better(c.model.brier, c.baseRateModel.brier) },
    logLoss: { model: num(c.model.logLoss), baseRate: num(c.baseRateModel.logLoss), better: better(c.model.logLoss, c.baseRateModel.logLoss) },
    ece: { model: num(c.model.expectedCalibrationError), percent: `${(c.model.expectedCalibrationError * 100).toFixed(1)}%` },
    beatsBaseRate: c.model.brier < c.baseRateModel.brier && c.model.logLoss < c.baseRateModel.logLoss,
    chart: reliabilityChart(c.model.reliability, { title: `校准图（${c.heldOut} 笔留出的已审批申请）` }),
  };
}
