import { guard, page } from '../../server/http/page-route';
import { figuresBasis, institutionKindLabels, medianText } from '../../server/modules/institutions';
import { formatMeasuredHours } from '../../server/lib/duration';
import { formatRate } from '../../server/lib/money';

/** `/institutions/:id`: a lender's public page (licence, customer service, products, figures, reviews, complaint record). */
export const institutionPages = [
  page({
    method: 'get',
    path: '/institutions/:id',
    guard: guard.public,
    handler: async ({ params, services, render }) => {
      const profile = await services.lenderProfiles.publicProfile(params.id);
      const { institution, figures } = profile;
      await render('institution', {
        title: institution.shortName,
        ...profile,
        kindLabel: institutionKindLabels[institution.kind],
        basis: figuresBasis(figures),
        approvalText: figures.approvalRate === null ? '样本不足' : formatRate(figures.approvalRate),
        responseText: medianText(figures.medianResponseMinutes),
        resolvedShareText: figures.complaints.resolvedShare === null ? '—' : formatRate(figures.complaints.resolvedShare),
        resolutionText: figures.complaints.medianResolutionHours === null ? '—' : formatMeasuredHours(figures.complaints.medianResolutionHours),
      });
    },
  }),
];
