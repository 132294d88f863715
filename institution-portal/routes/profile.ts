import { auditActor } from '../../server/http/audit-actor';
import { formFailure } from '../../server/http/form-failure';
import { guard, page, type PageRoute } from '../../server/http/page-route';
import { profileDraftStatusLabels, publicProfileFields, type PublicProfileFields } from '../../server/modules/institutions';
import type { StaffPage } from './context';

const showProfile = async ({ principal, services, render }: StaffPage, extra: Record<string, unknown> = {}) => {
  const own = await services.lenderProfiles.ownProfile(principal.institutionId);
  const latest = own.drafts[0];
  // the form starts from the draft in review or the last one sent back, else from what the page shows
  const start = latest && latest.status !== 'approved' ? latest.proposed : own.fields;
  await render('profile', {
    title: '机构主页',
    institution: own.institution,
    approved: publicProfileFields.map((f) => ({ ...f, value: own.fields[f.key] })),
    drafts: own.drafts.map((d) => ({ ...d, statusLabel: profileDraftStatusLabels[d.status] })),
    pending: own.drafts.some((d) => d.status === 'submitted'),
    values: start,
    ...extra,
  });
};

/** `/partner/profile`: the institution's public page information; a change is a draft an operator reviews before it shows. */
export const profilePortalPages: PageRoute[] = [
  page({ method: 'get', path: '/profile', guard: guard.institution('profile.manage'), handler: (ctx) => showProfile(ctx) }),
  page({
    method: 'post',
    path: '/profile',
    guard: guard.institution('profile.manage'),
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      const values = Object.fromEntries(publicProfileFields.map(({ key }) => [key, String(req.body[key] ?? '')])) as unknown as PublicProfileFields;
      try {
        await services.lenderProfiles.submitDraft(principal.institutionId, values, auditActor(req));
        req.session.flash = { kind: 'success', message: '已提交审核，审核通过后机构主页显示新内容' };
        res.redirect(303, '/partner/profile');
      } catch (err) {
        await showProfile(ctx, { values, error: formFailure(res, err) });
      }
    },
  }),
];
