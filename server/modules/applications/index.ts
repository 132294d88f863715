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
export { canTransition, nextStatuses, isTerminal, statusLabels, rejectReasons, type RejectReason, type Actor } from './status-machine';
export { applicationStatuses, type ApplicationStatus } from './applications.schema';
export { SubmissionService, IdentityRequiredError, DUPLICATE_WINDOW_DAYS, type ApplyRequest, type ApplyItem, type Refusal, type ConsentRequest, type ApplicantData } from './submission.service';
export { applicationJobs } from './applications.jobs';
