CREATE TABLE "channel_adjustments" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"reason" text NOT NULL,
	"line_id" bigint NOT NULL,
	"journal_id" text NOT NULL,
	"month" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "channel_adjustments_amount_check" CHECK ("channel_adjustments"."amount_fen" <> 0)
);
--> statement-breakpoint
CREATE TABLE "channel_agreements" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"version" integer NOT NULL,
	"per_event" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"share_rate" numeric(8, 6) DEFAULT '0' NOT NULL,
	"monthly_cap_fen" bigint,
	"reversal_window_days" integer DEFAULT 30 NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"effective_to" timestamp with time zone,
	"note" text DEFAULT '' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_agreements_share_check" CHECK ("channel_agreements"."share_rate" >= 0 and "channel_agreements"."share_rate" < 1),
	CONSTRAINT "channel_agreements_cap_check" CHECK (coalesce("channel_agreements"."monthly_cap_fen", 1) > 0),
	CONSTRAINT "channel_agreements_window_check" CHECK ("channel_agreements"."reversal_window_days" between 0 and 365),
	CONSTRAINT "channel_agreements_dates_check" CHECK ("channel_agreements"."effective_to" is null or "channel_agreements"."effective_to" > "channel_agreements"."effective_from")
);
--> statement-breakpoint
CREATE TABLE "channel_line_disputes" (
	"line_id" bigint PRIMARY KEY NOT NULL,
	"statement_id" text NOT NULL,
	"reason" text NOT NULL,
	"raised_by" text,
	"raised_at" timestamp with time zone NOT NULL,
	"resolution" text,
	"resolution_note" text,
	"adjustment_id" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "channel_payable_reversals" (
	"source_key" text PRIMARY KEY NOT NULL,
	"cause" text NOT NULL,
	"reason" text NOT NULL,
	"evidence" jsonb,
	"journal_id" text,
	"reversed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_payables" (
	"id" text PRIMARY KEY NOT NULL,
	"source_key" text NOT NULL,
	"channel_id" text NOT NULL,
	"agreement_id" text NOT NULL,
	"rule" text NOT NULL,
	"source_id" text NOT NULL,
	"account_id" text NOT NULL,
	"application_id" text,
	"sub_id" text DEFAULT '' NOT NULL,
	"event_at" timestamp with time zone NOT NULL,
	"month" text NOT NULL,
	"ordinal" integer NOT NULL,
	"base_amount_fen" bigint,
	"amount_fen" bigint NOT NULL,
	"journal_id" text,
	"memo" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_payables_source_key_unique" UNIQUE("source_key"),
	CONSTRAINT "channel_payables_amount_check" CHECK ("channel_payables"."amount_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "channel_payments" (
	"id" text PRIMARY KEY NOT NULL,
	"statement_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"reference" text NOT NULL,
	"journal_id" text NOT NULL,
	"recorded_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_payments_amount_check" CHECK ("channel_payments"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "channel_payout_exclusions" (
	"id" text PRIMARY KEY NOT NULL,
	"source_key" text NOT NULL,
	"channel_id" text NOT NULL,
	"agreement_id" text NOT NULL,
	"rule" text NOT NULL,
	"source_id" text NOT NULL,
	"account_id" text NOT NULL,
	"application_id" text,
	"sub_id" text DEFAULT '' NOT NULL,
	"event_at" timestamp with time zone NOT NULL,
	"month" text NOT NULL,
	"code" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_payout_exclusions_source_key_unique" UNIQUE("source_key")
);
--> statement-breakpoint
CREATE TABLE "channel_payout_watermarks" (
	"name" text PRIMARY KEY NOT NULL,
	"up_to" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_statement_lines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"statement_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"kind" text NOT NULL,
	"source_key" text NOT NULL,
	"rule" text,
	"sub_id" text DEFAULT '' NOT NULL,
	"event_at" timestamp with time zone NOT NULL,
	"event_month" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"evidence" jsonb,
	CONSTRAINT "channel_statement_lines_source_key_unique" UNIQUE("source_key")
);
--> statement-breakpoint
CREATE TABLE "channel_statements" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"period" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"total_fen" bigint NOT NULL,
	"line_count" integer NOT NULL,
	"excluded_count" integer DEFAULT 0 NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone,
	"paid_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "channel_adjustments" ADD CONSTRAINT "channel_adjustments_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_adjustments" ADD CONSTRAINT "channel_adjustments_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_agreements" ADD CONSTRAINT "channel_agreements_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_line_disputes" ADD CONSTRAINT "channel_line_disputes_line_id_channel_statement_lines_id_fk" FOREIGN KEY ("line_id") REFERENCES "public"."channel_statement_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_line_disputes" ADD CONSTRAINT "channel_line_disputes_statement_id_channel_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."channel_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payable_reversals" ADD CONSTRAINT "channel_payable_reversals_source_key_channel_payables_source_key_fk" FOREIGN KEY ("source_key") REFERENCES "public"."channel_payables"("source_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payable_reversals" ADD CONSTRAINT "channel_payable_reversals_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payables" ADD CONSTRAINT "channel_payables_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payables" ADD CONSTRAINT "channel_payables_agreement_id_channel_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."channel_agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payables" ADD CONSTRAINT "channel_payables_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payments" ADD CONSTRAINT "channel_payments_statement_id_channel_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."channel_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payments" ADD CONSTRAINT "channel_payments_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payments" ADD CONSTRAINT "channel_payments_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payout_exclusions" ADD CONSTRAINT "channel_payout_exclusions_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_payout_exclusions" ADD CONSTRAINT "channel_payout_exclusions_agreement_id_channel_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."channel_agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_statement_lines" ADD CONSTRAINT "channel_statement_lines_statement_id_channel_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."channel_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_statements" ADD CONSTRAINT "channel_statements_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channel_adjustments_line_uq" ON "channel_adjustments" USING btree ("line_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_agreements_version_uq" ON "channel_agreements" USING btree ("channel_id","version");--> statement-breakpoint
CREATE INDEX "channel_line_disputes_statement_idx" ON "channel_line_disputes" USING btree ("statement_id");--> statement-breakpoint
CREATE INDEX "channel_payables_month_idx" ON "channel_payables" USING btree ("channel_id","month","rule");--> statement-breakpoint
CREATE INDEX "channel_payables_event_idx" ON "channel_payables" USING btree ("event_at");--> statement-breakpoint
CREATE INDEX "channel_payables_account_idx" ON "channel_payables" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_payments_statement_uq" ON "channel_payments" USING btree ("statement_id");--> statement-breakpoint
CREATE INDEX "channel_payout_exclusions_month_idx" ON "channel_payout_exclusions" USING btree ("channel_id","month");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_statement_lines_no_uq" ON "channel_statement_lines" USING btree ("statement_id","line_no");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_statements_period_uq" ON "channel_statements" USING btree ("channel_id","period");--> statement-breakpoint
CREATE INDEX "channel_statements_status_idx" ON "channel_statements" USING btree ("status");--> statement-breakpoint
-- payables, their reversals, exclusions and statement lines are append-only, as the ledger is
CREATE TRIGGER channel_payables_append_only BEFORE UPDATE OR DELETE ON channel_payables FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();--> statement-breakpoint
CREATE TRIGGER channel_payable_reversals_append_only BEFORE UPDATE OR DELETE ON channel_payable_reversals FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();--> statement-breakpoint
CREATE TRIGGER channel_payout_exclusions_append_only BEFORE UPDATE OR DELETE ON channel_payout_exclusions FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();--> statement-breakpoint
CREATE TRIGGER channel_statement_lines_append_only BEFORE UPDATE OR DELETE ON channel_statement_lines FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
