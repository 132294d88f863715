export { CatalogueService, SEARCH_CACHE_SECONDS, catalogueSorts, type CatalogueSort, type CatalogueQuery, type RankingSignals, smoothedApprovalRate, scrubQuery, type ProductPage, type NewProduct, type ProductPatch, type CatalogueEventKind } from './catalogue.service';
export { toProductView, feeLines, pricingInput, type ProductView } from './product-view';
export { listedAmongSql, type ProductRow } from './catalogue.repository';
export { checkEligibility, eligibilityProfileOf, creditSelfAssessment, employmentTypes, type EligibilityProfile, type CreditSelfAssessment } from './eligibility';
export { productCategories, repaymentMethods, productStatuses, catalogueEventKinds, eventChannels, type EventChannel, type RepaymentMethod, type Eligibility, type ProductStatus } from './catalogue.schema';
export { catalogueJobs } from './catalogue.jobs';
