import { Router } from 'express';
import type { Services } from '../server/container';
import type { HttpKit } from '../server/http/kit';
import type { Render } from '../server/http/render';
import { accountRoutes } from './routes/account';
import { applicationRoutes } from './routes/applications';
import { catalogueRoutes } from './routes/catalogue';
import { feedbackRoutes } from './routes/feedback';
import { guideRoutes } from './routes/guides';
import { loanPages } from './routes/loans';
import { mountPages } from '../server/http/page-route';

/** The consumer site, mounted at `/`. */
export function createWebApp(services: Services, kit: HttpKit, render: Render): Router {
  const r = Router();
  catalogueRoutes(r, services, kit, render);
  accountRoutes(r, services, kit, render);
  applicationRoutes(r, services, kit, render);
  feedbackRoutes(r, services, kit, render);
  guideRoutes(r, services, kit, render);
  mountPages(r, loanPages, services, kit, render);
  return r;
}
