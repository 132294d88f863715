import type { BackgroundWork } from '../../jobs/job';
import type { OddsService } from './odds.service';

/** other instances refit too (the worker's nightly job): each instance picks the new model up within this */
const MODEL_SYNC_MS = 60_000;

/** The odds' background work: the nightly refit (worker) and the model kept in every instance's memory; gathered by server/jobs/registry.ts. */
export function oddsJobs(odds: OddsService): BackgroundWork[] {
  return [
    {
      name: 'odds-refit',
      title: '重新拟合下款概率模型',
      // 03:40 Asia/Shanghai, after the day's decisions
      schedule: '40 3 * * *',
      run: async ({ now }) => {
        const r = await odds.refit('job', now);
        if (r.status === 'fitted') {
          return { processed: r.decisions, detail: { outcome: 'fitted', modelId: r.id, heldOut: r.heldOut, fitMs: r.fitMs, brier: r.brier, brierBaseRate: r.brierBaseRate, logLoss: r.logLoss, logLossBaseRate: r.logLossBaseRate } };
        }
        if (r.status === 'unchanged') return { processed: 0, detail: { outcome: 'unchanged', modelId: r.id, decisions: r.decisions } };
        return { processed: 0, detail: { outcome: 'too_few', decisions: r.decisions, needed: r.needed, note: `已审批的申请只有 ${r.decisions} 笔，少于 ${r.needed} 笔：不拟合模型，所有产品显示「数据不足」` } };
      },
    },
    {
      kind: 'ticker',
      name: 'odds-model-sync',
      title: '载入其他实例拟合的下款概率模型',
      everyMs: MODEL_SYNC_MS,
      scope: 'instance',
      tick: async () => ({ processed: (await odds.syncIfChanged()) ? 1 : 0 }),
    },
  ];
}
