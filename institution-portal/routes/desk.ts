import { auditActor } from '../../server/http/audit-actor';
import { partyAction, partyStream, showPartyConversation } from '../../server/http/desk-pages';
import { formFailure } from '../../server/http/form-failure';
import { guard, page } from '../../server/http/page-route';
import type { DeskParty } from '../../server/modules/desk';
import type { StaffPage } from './context';

const BASE = '/partner/desk/conversations';
const staff = guard.institution('portal.view');

const partyOf = ({ principal }: Pick<StaffPage, 'principal'>): DeskParty => ({ kind: 'institution', institutionId: principal.institutionId, staffId: principal.account.id });

async function showDesk(ctx: StaffPage, values: Record<string, unknown> = {}, error?: unknown) {
  const [groups, conversations] = await Promise.all([ctx.services.desk.groups('institution'), ctx.services.desk.listForParty(partyOf(ctx))]);
  await ctx.render('desk', { title: '平台客服', groups, conversations, values, error });
}

/** 平台客服 for institution staff (`/partner/desk`): the 机构咨询 group; every member of the institution sees its conversations. */
export const deskPortalPages = [
  page({ method: 'get', path: '/desk', guard: staff, handler: (ctx) => showDesk(ctx) }),
  page({
    method: 'post',
    path: '/desk',
    guard: staff,
    handler: async (ctx) => {
      const { req, res, services } = ctx;
      try {
        const created = await services.desk.open(partyOf(ctx), { groupId: String(req.body.groupId ?? ''), body: String(req.body.body ?? '') }, auditActor(req));
        res.redirect(303, `${BASE}/${created.id}`);
      } catch (err) {
        await showDesk(ctx, req.body, formFailure(res, err));
      }
    },
  }),
  page({ method: 'get', path: '/desk/conversations/:id', guard: staff, handler: (ctx) => showPartyConversation(ctx, partyOf(ctx), BASE, ctx.params.id) }),
  page({ method: 'get', path: '/desk/conversations/:id/events', guard: staff, handler: (ctx) => partyStream(ctx, partyOf(ctx), ctx.params.id) }),
  page({ method: 'post', path: '/desk/conversations/:id/messages', guard: staff, handler: (ctx) => partyAction(ctx, partyOf(ctx), BASE, ctx.params.id, 'message') }),
  page({ method: 'post', path: '/desk/conversations/:id/rating', guard: staff, handler: (ctx) => partyAction(ctx, partyOf(ctx), BASE, ctx.params.id, 'rating') }),
];
