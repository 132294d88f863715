import { Router } from 'express';
import type { Services } from '../server/container';
import type { HttpKit } from '../server/http/kit';
import { loginPages } from '../server/http/page-login';
import { securityPages } from '../server/http/page-security';
import { guard, mountPages } from '../server/http/page-route';
import type { Render } from '../server/http/render';
import { channelHomePages } from './routes/home';
import { channelStatementPages } from './routes/statements';

/** The channel partners' portal, mounted at `/channel`: their links and their funnel, counts only. */
export function createChannelPortal(services: Services, kit: HttpKit, baseRender: Render, options: { mfaRequired: boolean }): Router {
  const r = Router();
  const render: Render = async (req, res, page, ctx = {}) => {
    const channelName = req.channelId ? (await services.channelPortal.channel(req.channelId).catch(() => undefined))?.name : undefined;
    return baseRender(req, res, page, { channelName, ...ctx });
  };
  mountPages(r, loginPages({ kind: 'channel', title: '渠道登录', prefix: '/channel', home: '/channel' }), services, kit, render);
  mountPages(r, securityPages({ prefix: '/channel', guard: guard.channel('portal.view', { allowSecuritySetup: true }), mfaRequired: options.mfaRequired }), services, kit, render);
  mountPages(r, channelHomePages, services, kit, render);
  mountPages(r, channelStatementPages, services, kit, render);
  return r;
}
