export { AuditService, type AuditActor, type AuditEntry, type AuditFilter, type AuditRow, type AuditViewRow, type RequestOrigin } from './audit.service';
export { auditActionLabels, auditObjectLabels, auditActionLabel, auditObjectLabel, type AuditAction, type AuditObjectType } from './labels';
