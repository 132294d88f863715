import type { Router } from 'express';
import type { Services } from '../../container';
import type { HttpKit } from '../kit';
import { apiRouter, channelApiSurface } from './surfaces';

/** `/api/channel/v1`: a channel partner's staff (routes in ./channel/*.routes.ts). */
export const channelApi = (services: Services, kit: HttpKit): Router => apiRouter(channelApiSurface, services, kit);
