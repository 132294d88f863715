export { AuditService, type AuditActor, type AuditEntry, type AuditFilter, type AuditRow, type AuditViewRow } from './audit.service';
