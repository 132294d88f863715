export {
  SettlementService,
  type Agreement,
  type AgreementInput,
  type AgreementVersion,
  type AccrualView,
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
export { assertBalanced, accountNames, type JournalWithEntries } from './ledger';
