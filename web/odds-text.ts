import type { Odds } from '../server/modules/odds';

const percent = (x: number) => `${Math.round(x * 100)}%`;

/** 下款概率 in words: a band and a range, labelled as an estimate, never a promise. */
export function oddsText(o: Pick<Odds, 'band' | 'low' | 'high' | 'basis' | 'decisions'>): { band: string; range: string; note: string } {
  return {
    band: o.band,
    range: `${percent(o.low)}–${percent(o.high)}`,
    note:
      o.basis === 'model'
        ? `根据平台 ${o.decisions} 笔已审批申请估算`
        : o.band === '数据不足'
          ? '该产品已审批的申请还不多，按产品公开条件和机构近期审批情况估算'
          : '按产品公开的申请条件估算：你的资料不符合其中的要求',
  };
}
