// Every table of every module, for Drizzle and drizzle-kit. Modules own their tables.
export * from '../modules/institutions/institutions.schema';
export * from '../modules/accounts/accounts.schema';
export * from '../modules/catalogue/catalogue.schema';
export * from '../modules/applications/applications.schema';
export * from '../modules/settlement/settlement.schema';
export * from '../modules/audit/audit.schema';
export * from '../modules/idempotency/idempotency.schema';
export * from '../modules/notifications/notifications.schema';
export * from '../modules/identity/identity.schema';
export * from '../modules/consents/consents.schema';
export * from '../modules/webhooks/webhooks.schema';
export * from '../modules/messages/messages.schema';
export * from '../modules/prescreen/prescreen.schema';
export * from '../modules/risk/risk.schema';
export * from '../modules/documents/documents.schema';
export * from '../modules/settings/settings.schema';
export * from '../modules/content/content.schema';
