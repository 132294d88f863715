export { AccountsService, PHONE_PATTERN, MAX_FAILED_LOGINS, LOCKOUT_MINUTES, OTP_RESEND_SECONDS, type OtpPurpose, type SessionAccount, type ConsumerProfile, type ContactPreferences } from './accounts.service';
export { passwordProblem } from './passwords';
export type { AccountKind } from './accounts.schema';
