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

/** The staff member (or API key) acting, as named on a lead's timeline. */
export function staffRef(req: Request): { id: string; name: string } {
  const account = req.account;
  if (!account) return { id: 'anonymous', name: '未登录' };
  return { id: account.id, name: req.authMethod === 'api_key' ? `API 密钥 ${account.id}` : account.displayName };
}
