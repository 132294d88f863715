export { IdentityService, type IdentitySummary } from './identity.service';
export { DevelopmentVerificationProvider, type VerificationProvider } from './verification';
export { idNumberProblem, ageFromIdNumber, idNumberFacts, idCheckCharacter } from './id-number';
