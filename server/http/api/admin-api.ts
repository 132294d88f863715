import type { Router } from 'express';
import type { Services } from '../../container';
import type { HttpKit } from '../kit';
import { adminApiSurface, apiRouter } from './surfaces';

/** `/api/admin/v1`: operators (routes in ./admin/*.routes.ts). */
export const adminApi = (services: Services, kit: HttpKit): Router => apiRouter(adminApiSurface, services, kit);
