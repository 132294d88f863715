export { AccountsService, PHONE_PATTERN, OTP_RESEND_SECONDS, type OtpPurpose, type SessionAccount, type ConsumerProfile, type ProfileChanges, type ContactPreferences } from './accounts.service';
export { passwordProblem, type PasswordContext } from './passwords';
export { LoginThrottle, FREE_FAILURES, waitAfter } from './login-throttle';
export type { AccountKind } from './accounts.schema';
export { StaffService, INVITATION_DAYS, rolesFor, type Invitation, type StaffKind, type StaffMember } from './staff.service';
export { MfaService, mfaRequiredFor } from './mfa.service';
export { sealLegacyNames } from './legacy-names';
export { apiKeyPermissions, institutionCan, institutionRoles, operatorCan, operatorRoles, permissionsOf, roleLabels, type InstitutionPermission, type InstitutionRole, type OperatorPermission, type OperatorRole } from './permissions';
export { byDisplayName, openDisplayName, shownDisplayName } from './display-name';
