export { SettlementService, type Agreement, type PostedCommission } from './settlement.service';
export { commissionFor, type CommissionEvent, type AgreementTerms } from './commission';
export { assertBalanced, accountNames, type JournalWithEntries } from './ledger';
