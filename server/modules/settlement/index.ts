export {
  SettlementService,
  type Agreement,
  type AgreementInput,
  type AgreementVersion,
  type AccrualView,
  type AccrualEvent,
  type PostedCommission,
  type ReversalResult,
} from './settlement.service';
export {
  chargeFor,
  commissionRules,
  ruleLabels,
  shanghaiDate,
  shanghaiMidnight,
  shanghaiMonth,
  sourceKeyFor,
  type AgreementTerms,
  type AgreementTier,
  type CommissionEvent,
  type CommissionRule,
} from './commission';
export { assertBalanced, accountNames, postJournal, type JournalDraft, type PostResult, type JournalWithEntries } from './ledger';
export {
  StatementsService,
  type CloseResult,
  type Statement,
  type StatementDetail,
  type StatementLine,
  type StatementPayment,
  type StatementSummary,
  type UnbilledCommission,
} from './statements.service';
export {
  ageingBucket,
  ageingBuckets,
  ageingLabels,
  dueDateFor,
  isPeriod,
  periodToClose,
  shownStatus,
  statusLabels as statementStatusLabels,
  type ShownStatus,
} from './statements';
export type { PaymentEvent, PaymentGateway, PaymentIntentInfo } from './payments';
export { ReconciliationService, ReportRejectedError, differenceLabels, type ReconciliationImport, type ReconciliationDifference } from './reconciliation.service';
export { RECONCILIATION_HEADER, parseReportCsv, matchReport } from './reconciliation-file';
export { reclassifyLegacyOverpayments } from './legacy-overpayments';
export { settlementJobs } from './settlement.jobs';
export { CommissionDrainer } from './commission-drainer';
export { drainAccruals } from './commission-outbox';
