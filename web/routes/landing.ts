import { z } from 'zod';
import { guard, page, type PageContext } from '../../server/http/page-route';
import { CHANNEL_CODE, SUB_ID } from '../../server/modules/channels';
import { sendRegisterCode, submitRegister } from './account';

type Ctx = PageContext<typeof guard.public, string, undefined>;

const codeParam = z.string().regex(CHANNEL_CODE);
/** a sub-ID in the path is never empty: the bare link is `/c/<code>` */
const subParam = z.string().min(1).regex(SUB_ID);

const paramsOf = (ctx: Ctx) => ctx.params as unknown as { code: string; sub?: string };
const clickIdOf = (q: Record<string, unknown>) => (typeof q.click_id === 'string' ? q.click_id : typeof q.clickid === 'string' ? q.clickid : undefined);

/** The landing page shown again after a refused form (the touch was recorded when it was opened). */
async function showLanding(ctx: Ctx, extra: Record<string, unknown>): Promise<void> {
  const { code, sub = '' } = paramsOf(ctx);
  const landing = await ctx.services.channels.landing(code, sub);
  if (!landing) {
    ctx.res.redirect(303, '/register');
    return;
  }
  await ctx.render('landing', {
    title: landing.headline,
    landing,
    formAction: `/c/${code}${sub ? `/${sub}` : ''}`,
    next: '',
    agreements: await ctx.services.contracts.currentAgreements(),
    ...extra,
  });
}

/**
 * The H5 landing page of a channel's tracking link, `/c/<code>` and `/c/<code>/<sub>`: its
 * headline, a short trust text and the registration form (the register page's own handlers).
 * Opening it records the visit (a touch; `?click_id=` or `?clickid=` carries the channel's click
 * id); registering on it attributes the borrower to the channel. An unknown, archived or
 * inactive link sends the visitor to /register; a signed-in consumer goes to the home page.
 */
async function openLanding(ctx: Ctx): Promise<void> {
  const { req, res, services, kit } = ctx;
  if (req.session?.auth?.consumer) {
    res.redirect(302, '/');
    return;
  }
  const { code, sub = '' } = paramsOf(ctx);
  const landing = await services.channels.landing(code, sub);
  if (!landing) {
    res.redirect(302, '/register');
    return;
  }
  try {
    await services.channels.recordTouch({ code, subId: sub, clickId: clickIdOf(req.query), visitor: kit.visitor(req, res), device: kit.device(req, res), landingPath: req.path });
  } catch (err) {
    // a visit that could not be recorded never costs the visitor the page
    req.log?.warn({ err }, 'channel touch not recorded');
  }
  await showLanding(ctx, {});
}

const params = { code: codeParam };
const paramsWithSub = { code: codeParam, sub: subParam };

export const landingPages = [
  page({ method: 'get', path: '/c/:code', guard: guard.public, params, handler: (ctx) => openLanding(ctx as unknown as Ctx) }),
  page({ method: 'get', path: '/c/:code/:sub', guard: guard.public, params: paramsWithSub, handler: (ctx) => openLanding(ctx as unknown as Ctx) }),
  page({ method: 'post', path: '/c/:code/code', guard: guard.public, params, before: (kit) => kit.limits.smsCode, handler: (ctx) => sendRegisterCode(ctx as unknown as Ctx, showLanding) }),
  page({ method: 'post', path: '/c/:code/:sub/code', guard: guard.public, params: paramsWithSub, before: (kit) => kit.limits.smsCode, handler: (ctx) => sendRegisterCode(ctx as unknown as Ctx, showLanding) }),
  page({ method: 'post', path: '/c/:code', guard: guard.public, params, before: (kit) => kit.limits.register, handler: (ctx) => submitRegister(ctx as unknown as Ctx, showLanding) }),
  page({ method: 'post', path: '/c/:code/:sub', guard: guard.public, params: paramsWithSub, before: (kit) => kit.limits.register, handler: (ctx) => submitRegister(ctx as unknown as Ctx, showLanding) }),
];
