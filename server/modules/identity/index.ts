export { IdentityService, type IdentitySummary, type IdentityRow, type IdentityRelease } from './identity.service';
export { DevelopmentVerificationProvider, type VerificationProvider } from './verification';
export { idNumberProblem, ageFromIdNumber, idNumberFacts, idCheckCharacter } from './id-number';
