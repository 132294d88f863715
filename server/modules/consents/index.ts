export { ConsentsService, ConsentWithdrawnError, releasableFields, standardApplicationFields, type ReleasableField, type ConsentRow, type ReleaseRow } from './consents.service';
