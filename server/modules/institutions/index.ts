export { InstitutionsService, institutionKindLabels, type Institution } from './institutions.service';
export { institutionKinds, type InstitutionKind } from './institutions.schema';
