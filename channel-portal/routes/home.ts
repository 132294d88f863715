import { formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { channelFunnelQuery } from '../../server/http/api/channel/portal.schemas';
import { parseDateRange } from '../../server/modules/analytics';
import { presetLinks } from '../../server/http/statistics';
import type { FunnelGrouping } from '../../server/modules/channels';
import { lineChart } from '../../web/charts';

const staff = guard.channel('portal.view');

/** `/channel`: the funnel by day (with a chart) or by sub-ID; `/channel/links`: the tracking links. */
export const channelHomePages = [
  page({
    method: 'get',
    path: '/',
    guard: staff,
    handler: async ({ req, res, principal, services, render }) => {
      const channel = await services.channelPortal.channel(principal.channelId);
      const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string' && v !== '')) as Record<string, string>;
      try {
        const q = parse(channelFunnelQuery, raw, '查询参数有误');
        const range = parseDateRange(q);
        const by: FunnelGrouping = q.by ?? 'day';
        const funnel = await services.channelPortal.funnel(principal.channelId, range, by);
        const chart =
          by === 'day'
            ? lineChart(
                funnel.rows.map((r) => r.key),
                [
                  { name: '访问', values: funnel.rows.map((r) => r.visits) },
                  { name: '注册', values: funnel.rows.map((r) => r.registrations) },
                  { name: '申请', values: funnel.rows.map((r) => r.applications) },
                  { name: '放款', values: funnel.rows.map((r) => r.disbursements) },
                ],
                { title: '每日访问、注册、申请与放款' },
              )
            : undefined;
        await render('home', {
          title: '转化数据',
          channel,
          q: raw,
          by,
          byDay: by === 'day',
          range,
          rows: funnel.rows,
          total: funnel.total,
          chart,
          presets: presetLinks('/channel', raw, range),
          switchHref: `/channel?${new URLSearchParams({ from: range.from, to: range.to, by: by === 'day' ? 'sub' : 'day' })}`,
        });
      } catch (err) {
        const error = formFailure(res, err);
        await render('home', { title: '转化数据', channel, q: raw, error, rows: [], presets: [] });
      }
    },
  }),
  page({
    method: 'get',
    path: '/postbacks',
    guard: staff,
    handler: async ({ principal, services, render }) => {
      await render('postbacks', { title: '转化回传', channel: await services.channelPortal.channel(principal.channelId), postbacks: await services.channelPortal.postbacks(principal.channelId) });
    },
  }),
  page({
    method: 'get',
    path: '/links',
    guard: staff,
    handler: async ({ principal, services, render }) => {
      await render('links', { title: '推广链接', channel: await services.channelPortal.channel(principal.channelId), links: await services.channelPortal.links(principal.channelId) });
    },
  }),
];
