import type { Request } from 'express';
import type { AuditActor } from '../modules/audit';

export function auditActor(req: Request): AuditActor {
  return {
    kind: req.account?.kind ?? 'anonymous',
    id: req.account?.id ?? null,
    requestId: req.id ? String(req.id) : undefined,
    ip: req.ip,
  };
}
