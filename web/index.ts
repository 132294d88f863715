import { Router } from 'express';
import type { Services } from '../server/container';
import type { HttpKit } from '../server/http/kit';
import type { Render } from '../server/http/render';
import { accountPages } from './routes/account';
import { applicationPages } from './routes/applications';
import { cataloguePages } from './routes/catalogue';
import { creditPages } from './routes/credit';
import { offerPages } from './routes/offers';
import { feedbackPages } from './routes/feedback';
import { guidePages } from './routes/guides';
import { loanPages } from './routes/loans';
import { oddsPages } from './routes/odds';
import { mountPages } from '../server/http/page-route';
import { legalPages } from './routes/legal';
import { agreementsGate } from '../server/http/agreements';
import { channelTouchCapture } from '../server/http/channel-touch';
import { landingPages } from './routes/landing';
import { institutionPages } from './routes/institutions';
import { deskPages } from './routes/desk';

/** The consumer site, mounted at `/`. */
export function createWebApp(services: Services, kit: HttpKit, render: Render): Router {
  const r = Router();
  // a newer 用户协议/隐私政策 is agreed before anything else is shown to a signed-in borrower
  r.use(agreementsGate(services, 'page'));
  // a visit through a channel link (`?ch=`) is recorded before the page answers
  r.use(channelTouchCapture(services, kit));
  mountPages(r, [...legalPages, ...cataloguePages, ...accountPages, ...applicationPages(services), ...feedbackPages(services), ...guidePages, ...loanPages(services), ...creditPages, ...offerPages(services), ...oddsPages, ...landingPages, ...institutionPages, ...deskPages], services, kit, render);
  return r;
}
