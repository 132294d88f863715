export { ProductsService, productStatusLabels, versionStatusLabels, type ProductVersion, type ReviewDetail, type StatusChange } from './products.service';
export { paramsOf, normalizeParams, paramFields, type ProductParams } from './product-params';
export { diffVersions, changedCount, type DiffRow } from './version-diff';
export { reviewChecklist, automaticChecksPass, type ChecklistItem, type ChecklistContext } from './checklist';
export { versionStatuses, type VersionStatus } from './products.schema';
