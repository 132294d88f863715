export { AccountsService, PHONE_PATTERN, MAX_FAILED_LOGINS, LOCKOUT_MINUTES, type SessionAccount, type ConsumerProfile } from './accounts.service';
export { passwordProblem } from './passwords';
export type { AccountKind } from './accounts.schema';
