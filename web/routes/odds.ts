import { guard, page } from '../../server/http/page-route';
import { calibrationView } from '../odds-view';

/** `/odds`: 下款概率是怎么算的 — what the odds are, that they are an estimate, and how good the model in use is. */
export const oddsPages = [
  page({
    method: 'get',
    path: '/odds',
    guard: guard.public,
    handler: async ({ services, render }) => {
      const fit = await services.odds.currentFit();
      await render('odds', { title: '下款概率是怎么算的', calibration: calibrationView(fit && { fittedAt: fit.row.fittedAt, model: fit.model }) });
    },
  }),
];
