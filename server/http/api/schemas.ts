/**
 * The request schemas of the pages, gathered: each lives next to the API routes of its domain
 * (`<surface>/<domain>.schemas.ts`), and the page surfaces import them from here.
 */
export * from './shared/auth.schemas';
export * from './shared/feedback.schemas';
export * from './consumer/account.schemas';
export * from './consumer/applications.schemas';
export * from './consumer/catalogue.schemas';
export * from './partner/leads.schemas';
export * from './admin/applications.schemas';
export * from './shared/contracts.schemas';
