export { AuditService, type AuditActor, type AuditEntry, type AuditRow } from './audit.service';
