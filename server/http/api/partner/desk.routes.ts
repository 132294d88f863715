import { guard, type ApiRoute } from '../route-table';
import { partyDeskRoutes } from '../shared/desk.routes';

/** `/api/partner/v1/desk`: the institution's conversations with the platform's 机构咨询 desk (every staff member of the institution sees them). */
export const partnerDeskRoutes: ApiRoute[] = partyDeskRoutes(guard.institution('portal.view', { sessionOnly: true }), 'institution', 'the institution');
