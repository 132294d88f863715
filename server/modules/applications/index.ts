export {
  ApplicationsService,
  type ApplicationView,
  type ApplicationDetail,
  type LeadDetail,
  type LeadFilter,
  type LeadListItem,
  STALE_AFTER_MS,
  type StatusChange,
} from './applications.service';
export type { ApplicationWithTimeline, TimelineEntry } from './application-view';
export { canTransition, nextStatuses, isTerminal, statusLabels, rejectReasons, type RejectReason, type Actor } from './status-machine';
export { applicationStatuses, type ApplicationStatus } from './applications.schema';
export { SubmissionService, IdentityRequiredError, DUPLICATE_WINDOW_DAYS, type ApplyRequest, type ApplyItem, type SubmissionResult, type Refusal, type ConsentRequest, type ApplicantData } from './submission.service';
export { applicationJobs } from './applications.jobs';
export { OffersService, offerStateLabels, declineReasons, type DeclineReason, type OfferView, type OfferState } from './offers.service';
export { offerTerms, pricingReasons, OFFER_LABEL_APR, OFFER_REFUSE_APR, type PricingReason, type OfferTerms, type OfferInput } from './offer-terms';
export { OFFER_DEFAULT_DAYS, OFFER_MAX_DAYS, OFFER_MIN_HOURS } from './applications.service';
export { AuthorizationLetters, LETTERS_PER_TICK } from './authorization-letters';
export { explainRejection, betterAlternatives, ApplicationRejectedError, MAX_ALTERNATIVES, type RejectionExplanation, type Alternative } from './rejection';
export { approvalReviewStatusLabels, type ApprovalReviewView, type StaffRef } from './approval-reviews';
