import { auditActor } from '../../server/http/audit-actor';
import { runMessage } from '../../server/http/job-run';
import { guard, page } from '../../server/http/page-route';
import { operatorCan } from '../../server/modules/accounts';
import { FEATURE_NAMES, MIN_PRODUCT_DECISIONS, featureLabels } from '../../server/modules/odds';
import { calibrationView } from '../../web/odds-view';

const REFIT_JOB = 'odds-refit';
const fixed = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/**
 * `/admin/odds`: the 下款概率 model in use (held-out scores against the base rate, the reliability
 * diagram, the coefficients with their features' meaning, decided applications per product), the
 * recent fits, and 重新拟合: the `odds-refit` job run now through the scheduler (its lock, its run
 * record, audited as every manual run).
 */
export const oddsPages = [
  page({
    method: 'get',
    path: '/odds',
    guard: guard.operator('dashboard.view'),
    handler: async ({ principal, services, render }) => {
      const [fit, fits] = await Promise.all([services.odds.currentFit(), services.odds.recentFits(10)]);
      const model = fit?.model;
      const listed = services.catalogue.allListed();
      const names = new Map(listed.map((p) => [p.id, { name: p.name, institution: p.institutionName }]));
      const counts = model?.decisionsByProduct ?? {};
      const products = [...new Set([...listed.map((p) => p.id), ...Object.keys(counts)])]
        .map((id) => ({ id, ...(names.get(id) ?? { name: id, institution: '（已下架）' }), decisions: counts[id] ?? 0 }))
        .map((p) => ({ ...p, enough: p.decisions >= MIN_PRODUCT_DECISIONS }))
        .sort((a, b) => b.decisions - a.decisions || a.name.localeCompare(b.name, 'zh'));
      const se = (j: number) => Math.sqrt(Math.max(0, model!.covariance[j]![j]!));
      const coefficients = model
        ? [
            { name: 'intercept', label: '截距（所有特征取基准值时的对数几率）', value: fixed(model.coefficients[0]!), se: fixed(se(0)), oddsRatio: '—' },
            ...FEATURE_NAMES.map((name, i) => ({
              name,
              label: featureLabels[name],
              value: fixed(model.coefficients[i + 1]!),
              se: fixed(se(i + 1)),
              oddsRatio: fixed(Math.exp(model.coefficients[i + 1]!), 2),
            })),
          ]
        : [];
      await render('odds', {
        title: '下款概率模型',
        calibration: calibrationView(fit && { fittedAt: fit.row.fittedAt, model: fit.model }),
        model: fit && { id: fit.row.id, iterations: model!.iterations, converged: model!.converged, l2: model!.l2, fitMs: fit.row.fitMs },
        coefficients,
        products,
        thinProducts: products.filter((p) => !p.enough).length,
        minProductDecisions: MIN_PRODUCT_DECISIONS,
        fits: fits.map((f) => ({
          ...f,
          current: f.id === fit?.row.id,
          triggerLabel: f.trigger === 'seed' ? '演示数据' : '定时任务 / 重新拟合',
          brier: fixed(f.brier),
          brierBaseRate: fixed(f.brierBaseRate),
          logLoss: fixed(f.logLoss),
          logLossBaseRate: fixed(f.logLossBaseRate),
          ece: fixed(f.ece),
        })),
        canRefit: operatorCan(principal.account, 'jobs.run'),
      });
    },
  }),
  page({
    method: 'post',
    path: '/odds/refit',
    guard: guard.operator('jobs.run'),
    handler: async ({ req, res, services }) => {
      const { job, result } = await services.scheduler.runManually(REFIT_JOB, auditActor(req));
      const detail = (result.run?.detail ?? {}) as { outcome?: string; note?: string; decisions?: number; brier?: number; brierBaseRate?: number };
      const base = runMessage(job.title, result);
      req.session.flash =
        result.run?.outcome !== 'succeeded'
          ? base
          : detail.outcome === 'fitted'
            ? { kind: 'success', message: `已重新拟合：${result.run.processed ?? 0} 笔已审批申请，留出数据 Brier ${fixed(detail.brier ?? NaN)}（平均批核率 ${fixed(detail.brierBaseRate ?? NaN)}）` }
            : detail.outcome === 'unchanged'
              ? { kind: 'success', message: `已审批的申请没有变化（${detail.decisions ?? 0} 笔），沿用当前模型` }
              : { kind: 'error', message: detail.note ?? '已审批的申请太少，未拟合模型' };
      res.redirect(303, '/admin/odds');
    },
  }),
];
