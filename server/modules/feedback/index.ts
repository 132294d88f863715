export { ERASED_TEXT, ERASED_NAME } from './erased';
export { ComplaintsService, type ComplaintDraft, type ComplaintView, type OperatorComplaintView, type ComplaintEventView, type ComplaintInput, type QueueFilter } from './complaints.service';
export { ReviewsService, reviewStatusLabels, type ReviewView, type ProductRating, type InstitutionRating } from './reviews.service';
export {
  complaintCategoryLabels,
  complaintStatusLabels,
  nextComplaintStatuses,
  transitionProblem,
  isFinished,
  REOPEN_WINDOW_DAYS,
  type ComplaintActor,
} from './complaint-status';
export { slaDueDates, overdueLevel, escalationFor, hoursLeft, type SlaHours, type SlaTicket } from './sla';
export { complaintCategories, complaintStatuses, reviewStatuses, type ComplaintCategory, type ComplaintStatus, type ReviewStatus } from './feedback.schema';
export { feedbackJobs } from './feedback.jobs';
export {
  FeedbackService,
  feedbackCategoryLabels,
  feedbackStatusLabels,
  normaliseTags,
  screenshotTypes,
  FEEDBACK_PER_DAY,
  MAX_TAGS,
  TAG_MAX,
  type FeedbackInput,
  type FeedbackView,
  type OperatorFeedbackView,
  type FeedbackFilter,
} from './feedback.service';
export { feedbackCategories, feedbackStatuses, type FeedbackCategory, type FeedbackStatus } from './feedback.schema';
