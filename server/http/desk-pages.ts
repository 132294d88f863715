import type { Request, Response } from 'express';
import { z } from 'zod';
import { STREAM_REFRESH_MS, type DeskParty } from '../modules/desk';
import type { Services } from '../container';
import { auditActor } from './audit-actor';
import { serveConversationStream } from './desk-stream';
import { formFailure } from './form-failure';
import { parse } from './validate';

/** What the borrower's and the institution's conversation pages share: the thread page, posting, rating, the stream. */

export const ratingChoices = [5, 4, 3, 2, 1];

const ratingForm = z.object({
  rating: z.coerce.number({ error: '请选择 1–5 分' }).int('请选择 1–5 分').min(1, '请选择 1–5 分').max(5, '请选择 1–5 分'),
  comment: z.string().max(500, '最多 500 字').optional(),
});

interface PartyPage {
  req: Request;
  res: Response;
  services: Services;
  render(page: string, context?: Record<string, unknown>): Promise<void>;
}

/** `base`: where the party's conversations live (`/desk/conversations`, `/partner/desk/conversations`). */
export async function showPartyConversation(ctx: PartyPage, party: DeskParty, base: string, id: string, extra: Record<string, unknown> = {}): Promise<void> {
  const conversation = await ctx.services.desk.getForParty(party, id);
  await ctx.services.desk.seenByParty(party, id);
  await ctx.render('desk-conversation', {
    title: `在线客服 ${conversation.number}`,
    conversation,
    messages: conversation.messages,
    base,
    stream: `${base}/${id}/events`,
    refresh: `${base}/${id}`,
    ratingChoices,
    complaintLink: party.kind === 'consumer' && conversation.complaintId ? `/account/complaints/${conversation.complaintId}` : null,
    scripts: ['/assets/desk.js'],
    ...extra,
  });
}

/** Runs the party's post (message or rating) and goes back to the thread; a refusal shows the thread with the reason. */
export async function partyAction(ctx: PartyPage, party: DeskParty, base: string, id: string, kind: 'message' | 'rating'): Promise<void> {
  const { req, res, services } = ctx;
  try {
    if (kind === 'message') await services.desk.postByParty(party, id, String(req.body.body ?? ''), auditActor(req));
    else {
      const input = parse(ratingForm, { rating: req.body.rating, comment: req.body.comment || undefined }, '请检查评价');
      await services.desk.rate(party, id, input, auditActor(req));
      req.session.flash = { kind: 'success', message: '感谢你的评价' };
    }
    res.redirect(303, `${base}/${id}`);
  } catch (err) {
    const error = formFailure(res, err);
    await showPartyConversation(ctx, party, base, id, { error, values: req.body });
  }
}

/**
 * The party's live thread (no internal notes); someone else's conversation is a 404 before the
 * stream opens. While it is open the desk knows the party is there (an agent's reply then goes
 * to the thread only, not also to the message centre).
 */
export async function partyStream(ctx: PartyPage, party: DeskParty, id: string): Promise<void> {
  const { desk } = ctx.services;
  await desk.partyMessagesAfter(party, id, Number.MAX_SAFE_INTEGER);
  const presence = await desk.partyStreamOpened(id);
  const refresh = setInterval(() => void presence.refresh().catch(() => undefined), STREAM_REFRESH_MS);
  refresh.unref();
  ctx.req.on('close', () => {
    clearInterval(refresh);
    void presence.close().catch(() => undefined);
  });
  await desk.seenByParty(party, id);
  await serveConversationStream(
    ctx.req,
    ctx.res,
    ctx.services,
    id,
    (after) => ctx.services.desk.partyMessagesAfter(party, id, after),
    async () => (await ctx.services.desk.getForParty(party, id)).status,
  );
}
