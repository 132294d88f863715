import type { CreditAnswers } from './questionnaire';

/**
 * What a credit bureau (征信机构) could tell us about a borrower, in the questionnaire's terms:
 * the answers it can vouch for. A field it sets replaces the borrower's own answer before
 * scoring; a field it leaves out keeps the self-reported one.
 */
export interface BureauReport {
  /** the bureau's name, kept with the assessment */
  provider: string;
  /** the bureau's reference for this report */
  reference: string;
  /** answers the bureau vouches for (e.g. overdue history, inquiries, cards, debt payments) */
  answers: Partial<Pick<CreditAnswers, 'overdue' | 'inquiries6m' | 'creditCards' | 'cardUtilisationPercent' | 'monthlyDebtFen' | 'monthlyIncomeFen' | 'incomeProof'>>;
}

/**
 * 征信 port. `report` answers the bureau's facts about a borrower, or null when there is no
 * bureau or it knows nothing about them. With a report, `CreditService.assess` lays its answers
 * over the borrower's (the bureau wins where it speaks) and labels the score `source: 'bureau'`;
 * with null every score stays `source: 'self_reported'`. A real provider needs the borrower's
 * separate authorisation to query the bureau (a query is itself recorded by the bureau), so it
 * would ask for it before calling.
 */
export interface CreditBureau {
  readonly name: string;
  report(accountId: string): Promise<BureauReport | null>;
}
