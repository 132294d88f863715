import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import type { PageTools } from './application-page';
import { weightLabels, type RankingWeights } from '../../server/modules/ranking';
import { formFailure } from '../../server/http/form-failure';

const keys = Object.keys(weightLabels) as (keyof RankingWeights)[];

async function show({ services, render }: PageTools, extra: { error?: unknown; values?: Record<string, string> } = {}) {
  const [current, history] = await Promise.all([services.ranking.current(), services.ranking.history(20)]);
  await render('ranking', {
    title: '排序规则',
    version: current.version,
    weights: keys.map((k) => ({ key: k, label: weightLabels[k], value: extra.values?.[k] ?? String(current.weights[k]) })),
    history: history.map((h) => ({ ...h, summary: keys.map((k) => `${weightLabels[k]} ${h.weights[k]}`).join('，') })),
    error: extra.error,
  });
}

/** `/admin/ranking`: the weights of 综合排序, each change a new version (audited). */
export const rankingPages = [
  page({ method: 'get', path: '/ranking', guard: guard.operator('ranking.manage'), handler: (ctx) => show(ctx) }),
  page({
    method: 'post',
    path: '/ranking',
    guard: guard.operator('ranking.manage'),
    handler: async (ctx) => {
      const { req, res, services } = ctx;
      const body = req.body as Record<string, string>;
      const values = Object.fromEntries(keys.map((k) => [k, String(body[k] ?? '').trim()]));
      const weights = Object.fromEntries(keys.map((k) => [k, /^\d+(\.\d+)?$/.test(values[k]!) ? Number(values[k]) : values[k]]));
      try {
        const row = await services.ranking.set(weights, String(body.note ?? ''), auditActor(req));
        req.session.flash = { kind: 'success', message: `已保存为第 ${row.version} 版，综合排序立即使用新权重` };
        res.redirect(303, '/admin/ranking');
      } catch (err) {
        const error = formFailure(res, err);
        await show(ctx, { error, values });
      }
    },
  }),
];
