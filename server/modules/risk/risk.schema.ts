import { index, jsonb, pgTable, text, timestamp, bigserial } from 'drizzle-orm/pg-core';

/** Where a registration or application came from: keyed hashes of the device and the address, never the raw values. */
export const riskSignals = pgTable(
  'risk_signals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: ['registration', 'application'] }).notNull(),
    accountId: text('account_id').notNull(),
    applicationId: text('application_id'),
    deviceHash: text('device_hash').notNull(),
    ipHash: text('ip_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('risk_signals_device_idx').on(t.deviceHash), index('risk_signals_account_idx').on(t.accountId, t.createdAt)],
);

/** A reason to look twice at a consumer, shown to the institutions they apply to and to operators. */
export const riskFlags = pgTable(
  'risk_flags',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    accountId: text('account_id').notNull(),
    code: text('code', { enum: ['shared_device', 'application_burst', 'id_phone_mismatch', 'loan_overdue'] }).notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('risk_flags_account_idx').on(t.accountId, t.createdAt)],
);
