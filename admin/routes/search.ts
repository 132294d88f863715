import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import { formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { ValidationError } from '../../server/lib/errors';
import { dictionaryKindLabels, formatDictionaryText, intentLabels, reportPeriods, summariseChange, type DictionaryEntry } from '../../server/modules/search';
import type { PageTools } from './application-page';

/** ?days=7 or 30 (anything else: 7) */
const reportQuery = z.object({ days: z.coerce.number().refine((d) => (reportPeriods as readonly number[]).includes(d)).catch(7) });

const counts = (entries: readonly DictionaryEntry[]) =>
  (Object.keys(dictionaryKindLabels) as (keyof typeof dictionaryKindLabels)[])
    .map((k) => `${dictionaryKindLabels[k]} ${entries.filter((e) => e.kind === k).length} 条`)
    .join('，');

const listed = (words: string[], max = 6) => (words.length > max ? `${words.slice(0, max).join('；')} 等 ${words.length} 项` : words.join('；'));

async function show({ services, render }: PageTools, days: number, extra: { error?: unknown; text?: string; note?: string } = {}) {
  const [current, history, report] = await Promise.all([services.searchDictionary.current(), services.searchDictionary.history(30), services.searchDictionary.queryReport(days, 50)]);
  // each version against the one before it (the list is newest first)
  const versions = history.map((v, i) => {
    const previous = history[i + 1];
    const change = previous ? summariseChange(previous.entries, v.entries) : undefined;
    return {
      ...v,
      active: v.version === current.version,
      counts: counts(v.entries),
      added: change ? listed(change.added) : '',
      removed: change ? listed(change.removed) : '',
    };
  });
  await render('search', {
    title: '搜索词典',
    current: { ...current, counts: counts(current.entries) },
    text: extra.text ?? formatDictionaryText(current.entries),
    note: extra.note ?? '',
    intents: Object.entries(intentLabels).map(([code, label]) => ({ code, label })),
    versions,
    report,
    periods: reportPeriods.map((d) => ({ days: d, chosen: d === days })),
    error: extra.error,
  });
}

/** `/admin/search`: the search dictionary (each save a new, audited version; revert = save an old one again) and what people search for. */
export const searchPages = [
  page({ method: 'get', path: '/search', guard: guard.operator('search.manage'), query: reportQuery, handler: (ctx) => show(ctx, ctx.query.days) }),
  page({
    method: 'post',
    path: '/search',
    guard: guard.operator('search.manage'),
    handler: async (ctx) => {
      const { req, res, services, principal } = ctx;
      const body = req.body as Record<string, unknown>;
      const text = typeof body.entries === 'string' ? body.entries : '';
      const note = typeof body.note === 'string' ? body.note : '';
      try {
        const saved = await services.searchDictionary.saveText(text, { note, author: principal.account.displayName }, auditActor(req));
        req.session.flash = { kind: 'success', message: `已保存为第 ${saved.version} 版，搜索立即按新词典理解` };
        res.redirect(303, '/admin/search');
      } catch (err) {
        await show(ctx, 7, { error: formFailure(res, err), text, note });
      }
    },
  }),
  page({
    method: 'post',
    path: '/search/revert',
    guard: guard.operator('search.manage'),
    handler: async (ctx) => {
      const { req, res, services, principal } = ctx;
      const raw = (req.body as Record<string, unknown>).version;
      try {
        const version = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
        if (version === undefined) throw new ValidationError('请选择要恢复的版本', { version: '版本号须为正整数' });
        const saved = await services.searchDictionary.revert(version, { author: principal.account.displayName }, auditActor(req));
        req.session.flash = { kind: 'success', message: `已将第 ${version} 版恢复为第 ${saved.version} 版` };
        res.redirect(303, '/admin/search');
      } catch (err) {
        await show(ctx, 7, { error: formFailure(res, err) });
      }
    },
  }),
];
