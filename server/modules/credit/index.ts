export { CreditService, type CreditProfile, type CreditHistoryPoint, type CreditSource, type CreditServiceDeps } from './credit.service';
export { scoreCredit, bandOf, debtToIncome, creditBandLabels, BASE_SCORE, MIN_SCORE, MAX_SCORE, type CreditBand, type CreditFactor, type CreditTip, type CreditScoring } from './scoring';
export { creditAnswersSchema, keysOf, incomeProofLabels, overdueLabels, assetLabels, type CreditAnswers, type IncomeProof, type OverdueHistory, type Asset } from './questionnaire';
export type { CreditBureau, BureauReport } from './credit-bureau.port';
export { latestScoreOf } from './credit.repository';
