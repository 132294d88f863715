import type { Router } from 'express';
import type { Services } from '../../container';
import type { HttpKit } from '../kit';
import { apiRouter, partnerApiSurface } from './surfaces';

/** `/api/partner/v1`: an institution's own systems, by staff session or API key (routes in ./partner/*.routes.ts). */
export const partnerApi = (services: Services, kit: HttpKit): Router => apiRouter(partnerApiSurface, services, kit);
