import type { Router } from 'express';
import type { Services } from '../../container';
import type { HttpKit } from '../kit';
import { apiRouter, consumerApiSurface } from './surfaces';

/** `/api/v1`: what the consumer site does, for apps (routes in ./consumer/*.routes.ts). */
export const consumerApi = (services: Services, kit: HttpKit): Router => apiRouter(consumerApiSurface, services, kit);
