import type { RequestHandler } from 'express';
import type { Services } from '../container';
import type { HttpKit } from './kit';

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Visit capture on the consumer site: a GET of any page with `?ch=<code>` (optional `sub`,
 * `click_id` or `clickid`) records a channel touch for the pseudonymous visitor
 * (ChannelsService.recordTouch: one insert at most, deduplicated over 30 minutes, only for an
 * active channel). Nothing happens without `ch`, nor for a signed-in consumer (already
 * registered: attribution is decided at registration). A bad or unknown code is ignored, and a
 * failure to record never fails the page.
 */
export function channelTouchCapture(services: Pick<Services, 'channels'>, kit: Pick<HttpKit, 'visitor' | 'device'>): RequestHandler {
  return async (req, res, next) => {
    const code = req.method === 'GET' ? one(req.query.ch) : undefined;
    if (!code || req.session?.auth?.consumer) return next();
    try {
      await services.channels.recordTouch({
        code,
        subId: one(req.query.sub) ?? '',
        clickId: one(req.query.click_id) ?? one(req.query.clickid),
        visitor: kit.visitor(req, res),
        device: kit.device(req, res),
        landingPath: req.path,
      });
    } catch (err) {
      req.log?.warn({ err }, 'channel touch not recorded');
    }
    next();
  };
}
