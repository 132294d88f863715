import type { Request, Response } from 'express';
import { auditActor } from '../../server/http/audit-actor';
import { partyAction, partyStream, showPartyConversation } from '../../server/http/desk-pages';
import { formFailure } from '../../server/http/form-failure';
import type { HttpKit } from '../../server/http/kit';
import { guard, page, type PageContext } from '../../server/http/page-route';
import type { DeskParty } from '../../server/modules/desk';

type Anyone = PageContext<typeof guard.public, string, undefined>;

const BASE = '/desk/conversations';

/** A signed-in borrower by account; anyone else as the visitor their cookie names. */
function partyOf(req: Request, res: Response, kit: HttpKit): DeskParty {
  return req.account?.kind === 'consumer' ? { kind: 'consumer', consumerId: req.account.id } : { kind: 'visitor', visitorKey: kit.visitor(req, res) };
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

async function showDesk({ req, res, kit, services, render }: Anyone, values: Record<string, unknown>, error?: unknown) {
  const party = partyOf(req, res, kit);
  const question = text(values.body);
  const [groups, conversations, suggestions] = await Promise.all([
    services.desk.groups('borrower'),
    services.desk.listForParty(party),
    services.desk.suggestions(question),
  ]);
  await render('desk', {
    title: '在线客服',
    groups,
    conversations,
    suggestions,
    asked: question.trim().length > 0,
    anonymous: party.kind === 'visitor',
    values,
    error,
    scripts: ['/assets/desk.js'],
  });
}

/** 在线客服 for borrowers, signed in or not (`/desk`): suggestions first, then a conversation with the desk. */
export const deskPages = [
  page({
    method: 'get',
    path: '/desk',
    guard: guard.public,
    handler: (ctx) => showDesk(ctx, { body: text(ctx.req.query.body), groupId: text(ctx.req.query.groupId), contact: text(ctx.req.query.contact) }),
  }),
  page({
    method: 'post',
    path: '/desk',
    guard: guard.public,
    handler: async (ctx) => {
      const { req, res, kit, services } = ctx;
      try {
        const created = await services.desk.open(
          partyOf(req, res, kit),
          { groupId: text(req.body.groupId), body: text(req.body.body), contact: text(req.body.contact) || undefined },
          auditActor(req),
        );
        res.redirect(303, `${BASE}/${created.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showDesk(ctx, req.body, error);
      }
    },
  }),
  page({
    method: 'get',
    path: `${BASE}/:id`,
    guard: guard.public,
    handler: (ctx) => showPartyConversation(ctx, partyOf(ctx.req, ctx.res, ctx.kit), BASE, ctx.params.id),
  }),
  page({
    method: 'get',
    path: `${BASE}/:id/events`,
    guard: guard.public,
    handler: (ctx) => partyStream(ctx, partyOf(ctx.req, ctx.res, ctx.kit), ctx.params.id),
  }),
  page({
    method: 'post',
    path: `${BASE}/:id/messages`,
    guard: guard.public,
    handler: (ctx) => partyAction(ctx, partyOf(ctx.req, ctx.res, ctx.kit), BASE, ctx.params.id, 'message'),
  }),
  page({
    method: 'post',
    path: `${BASE}/:id/rating`,
    guard: guard.public,
    handler: (ctx) => partyAction(ctx, partyOf(ctx.req, ctx.res, ctx.kit), BASE, ctx.params.id, 'rating'),
  }),
];
