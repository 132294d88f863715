import { auditActor } from '../../server/http/audit-actor';
import { confirmed } from '../../server/http/confirm';
import { formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import { institutionKindLabels, profileDraftStatusLabels } from '../../server/modules/institutions';
import type { PageTools } from './application-page';

async function showDraft({ req, services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const { draft, institution, diff } = await services.lenderProfiles.reviewDetail(id, auditActor(req));
  await render('profile-review', {
    title: `机构主页修改：${institution.shortName}`,
    draft,
    institution,
    kindLabel: institutionKindLabels[institution.kind],
    statusLabel: profileDraftStatusLabels[draft.status],
    isSubmitted: draft.status === 'submitted',
    diff,
    changed: diff.filter((d) => d.changed).length,
    ...extra,
  });
}

const decided = { approve: '已批准，机构主页已显示新内容', reject: '已驳回，机构会看到驳回原因' } as const;

/** `/admin/profile-reviews`: institutions' changes to their public pages, reviewed like a product version (diff, approve, reject with a reason). */
export const profileReviewPages = [
  page({
    method: 'get',
    path: '/profile-reviews',
    guard: guard.operator('institutions.review'),
    handler: async ({ services, render }) => {
      await render('profile-reviews', { title: '机构主页审核', queue: await services.lenderProfiles.reviewQueue() });
    },
  }),
  page({ method: 'get', path: '/profile-reviews/:id', guard: guard.operator('institutions.review'), handler: (ctx) => showDraft(ctx, ctx.params.id) }),
  ...(['approve', 'reject'] as const).map((action) =>
    page({
      method: 'post',
      path: `/profile-reviews/:id/${action}`,
      guard: guard.operator('institutions.review'),
      handler: async (ctx) => {
        const { params, req, res, services } = ctx;
        const comment = String(req.body.comment ?? '');
        try {
          if (action === 'approve') {
            confirmed(req.body);
            await services.lenderProfiles.approve(params.id, comment, auditActor(req));
          } else await services.lenderProfiles.reject(params.id, comment, auditActor(req));
        } catch (err) {
          const error = formFailure(res, err);
          return showDraft(ctx, params.id, { error, [action === 'approve' ? 'approveComment' : 'rejectComment']: comment });
        }
        req.session.flash = { kind: 'success', message: decided[action] };
        res.redirect(303, '/admin/profile-reviews');
      },
    }),
  ),
];
