import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import type { PageTools } from './application-page';
import { settingDefinitions, type SettingKey } from '../../server/modules/settings';
import { formFailure } from '../../server/http/form-failure';
import { NotFoundError } from '../../server/lib/errors';

type Kind = 'percent' | 'integer' | 'list';

function kindOf(key: SettingKey): Kind {
  const fallback = settingDefinitions[key].default;
  if (Array.isArray(fallback)) return 'list';
  return key.startsWith('rates.') ? 'percent' : 'integer';
}

/** Turns what the form sent into the value the setting stores (percent → fraction, lines → list). */
function fromForm(kind: Kind, raw: string): unknown {
  const text = raw.trim();
  if (kind === 'list') return text.split(/[\n,，、]+/).map((s) => s.trim()).filter(Boolean);
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text === '' ? undefined : text;
  return kind === 'percent' ? Math.round(Number(text) * 100) / 10000 : Number(text);
}

function toForm(kind: Kind, value: unknown): string {
  if (kind === 'list') return (value as string[]).join('\n');
  if (kind === 'percent') return (Number(value) * 100).toFixed(2);
  return String(value);
}

async function show({ services, render }: PageTools, extra: { error?: unknown; failedKey?: string; failedValue?: string } = {}) {
  const rows = await services.settings.all();
  const history = await services.audit.recentActions('setting.changed', 20);
  await render('settings', {
    title: '系统参数',
    groups: [...new Set(rows.map((r) => r.group))].map((group) => ({
      group,
      items: rows
        .filter((r) => r.group === group)
        .map((r) => {
          const kind = kindOf(r.key);
          return {
            ...r,
            kind,
            isList: kind === 'list',
            isPercent: kind === 'percent',
            formValue: extra.failedKey === r.key ? extra.failedValue : toForm(kind, r.value),
            failed: extra.failedKey === r.key,
          };
        }),
    })),
    history,
    error: extra.error,
  });
}

/** `/admin/settings`: system parameters, each change audited. */
export const settingsPages = [
  page({ method: 'get', path: '/settings', guard: guard.operator('settings.manage'), handler: (ctx) => show(ctx) }),
  page({
    method: 'post',
    path: '/settings/:key',
    guard: guard.operator('settings.manage'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      const key = params.key;
      if (!(key in settingDefinitions)) throw new NotFoundError('参数');
      const raw = String(req.body.value ?? '');
      try {
        await services.settings.set(key as SettingKey, fromForm(kindOf(key as SettingKey), raw), auditActor(req));
      } catch (err) {
        const error = formFailure(res, err);
        return show(ctx, { error, failedKey: key, failedValue: raw });
      }
      req.session.flash = { kind: 'success', message: `已保存：${settingDefinitions[key as SettingKey].label}` };
      res.redirect(303, '/admin/settings');
    },
  }),
];
