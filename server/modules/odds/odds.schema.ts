import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { applications } from '../applications/applications.schema';
import { products } from '../catalogue/catalogue.schema';
import { institutions } from '../institutions/institutions.schema';
import type { OddsModel } from './model';

/**
 * Every fitted 下款概率 model, newest last: the coefficients and covariance with their held-out
 * calibration (`model`, plain JSON), and the headline numbers for listing. The newest row is the
 * model in use; no row: every product is 数据不足 (the prior).
 */
export const oddsModels = pgTable(
  'odds_models',
  {
    id: text('id').primaryKey(),
    fittedAt: timestamp('fitted_at', { withTimezone: true }).notNull(),
    model: jsonb('model').$type<OddsModel>().notNull(),
    /** decided applications fitted and measured on (training + held out) */
    decisions: integer('decisions').notNull(),
    heldOut: integer('held_out').notNull(),
    /** the newest decision the fit saw: a refit on the same data changes nothing */
    dataThrough: timestamp('data_through', { withTimezone: true }),
    brier: doublePrecision('brier').notNull(),
    brierBaseRate: doublePrecision('brier_base_rate').notNull(),
    logLoss: doublePrecision('log_loss').notNull(),
    logLossBaseRate: doublePrecision('log_loss_base_rate').notNull(),
    ece: doublePrecision('ece').notNull(),
    fitMs: integer('fit_ms').notNull(),
    /** job (scheduled or 重新拟合 through the scheduler), seed (the demo data) */
    trigger: text('trigger', { enum: ['job', 'seed'] }).notNull(),
  },
  (t) => [index('odds_models_fitted_idx').on(t.fittedAt)],
);

/**
 * The borrower's facts the odds model reads, as they stood when the application was submitted
 * (the profile and the latest 信用评估 change later). Platform-internal: never sent to the
 * institution (what it receives is the consented release), erased with the account.
 */
export const oddsFacts = pgTable('odds_facts', {
  applicationId: text('application_id')
    .primaryKey()
    .references(() => applications.id),
  creditScore: integer('credit_score'),
  monthlyIncomeFen: bigint('monthly_income_fen', { mode: 'number' }),
  monthlyDebtFen: bigint('monthly_debt_fen', { mode: 'number' }),
  employment: text('employment'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/**
 * Decided applications from before the platform's own records (imported history; on a demo, the
 * synthetic decisions of scripts/generate-decisions.ts). Kept apart from `applications` so lead
 * lists, statements, commissions and statistics never see them; the odds model and the
 * institutions' recent approval rates read both. No personal data: no account, no name.
 */
export const oddsHistory = pgTable(
  'odds_history',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id),
    institutionId: text('institution_id')
      .notNull()
      .references(() => institutions.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    creditScore: integer('credit_score'),
    monthlyIncomeFen: bigint('monthly_income_fen', { mode: 'number' }),
    monthlyDebtFen: bigint('monthly_debt_fen', { mode: 'number' }),
    employment: text('employment'),
    approved: boolean('approved').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
    /** where the row came from: `demo` (synthetic, scripts/generate-decisions.ts) or `import` */
    source: text('source', { enum: ['demo', 'import'] }).notNull(),
  },
  (t) => [index('odds_history_institution_idx').on(t.institutionId, t.decidedAt), index('odds_history_product_idx').on(t.productId)],
);
