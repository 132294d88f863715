import type { Request, Response } from 'express';
import type { RequestOrigin } from '../modules/audit';
import { auditActor } from './audit-actor';
import type { HttpKit } from './kit';

/** What a use case needs to know about the request it came in by, the same for the page door and the API door. */
export function requestOrigin(kit: Pick<HttpKit, 'device' | 'visitor'>, req: Request, res: Response, door: RequestOrigin['door']): RequestOrigin {
  return { actor: auditActor(req), device: kit.device(req, res), visitor: kit.visitor(req, res), door };
}
