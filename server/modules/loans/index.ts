export { LoansService, type LoanSummary, type LoanDetail, type InstalmentView, type RepaymentInput, type RepaymentResult, type DisbursedApplication } from './loans.service';
export { PostLoanService, type MonitoringBoard, type OverdueReport, type OverdueReportRow, type OverdueRates } from './post-loan.service';
export {
  CollectionsService,
  caseStageLabels,
  contactResultLabels,
  contactChannelLabels,
  promiseStatusLabels,
  withinContactHours,
  type CaseDetail,
  type CaseListItem,
  type ContactResult,
} from './collections.service';
export { instalmentStatusLabels, settlementQuote, allocate, type SettlementQuote, type ScheduleLine } from './allocation';
export { overdueStageLabels, reminderOffsetFor, stagesReached, stageFor, ageBucketOf, ageBuckets, ageBucketLabels, REMINDER_OFFSETS, defaultStageDays, type OverdueStage } from './stages';
export { loanJobs } from './loans.jobs';
export { parseScheduleText, scheduleText, scheduleProblemsByLine, SCHEDULE_TEXT_FORMAT } from './schedule-text';
export { ScheduleChangesService, SCHEDULE_OFFER_VALID_DAYS, scheduleChangeKindLabels, scheduleChangeStatusLabels, type ScheduleChangeView, type ScheduleVersionView, type ScheduleChangeRequest, type ScheduleChangeOffer } from './schedule-changes.service';
