export { InstitutionsService, institutionKindLabels, type Institution } from './institutions.service';
export { institutionNames } from './institutions.repository';
export { institutionKinds, onboardingStatuses, type InstitutionKind, type OnboardingStatus } from './institutions.schema';
export { OnboardingService, onboardingStatusLabels, MAX_LICENCE_BYTES, type Onboarding, type OnboardingInput, type OnboardingMessage } from './onboarding.service';
export { LicencesService, type LicenceState } from './licences.service';
export { unifiedCodeCheckChar, unifiedCodeProblem } from './unified-code';
export { sealLegacyContacts } from './legacy-contacts';
export { onboardingChecklist } from './onboarding-checklist';
export { institutionJobs } from './institutions.jobs';
