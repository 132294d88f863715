CREATE TABLE "reconciliation_differences" (
	"id" text PRIMARY KEY NOT NULL,
	"import_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"application_id" text NOT NULL,
	"kind" text NOT NULL,
	"our_amount_fen" bigint,
	"their_amount_fen" bigint,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution_note" text,
	"adjustment_id" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reconciliation_imports" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"file_hash" text NOT NULL,
	"source" text NOT NULL,
	"row_count" integer NOT NULL,
	"matched" integer NOT NULL,
	"from_month" text NOT NULL,
	"to_month" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_rows" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"import_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"application_id" text NOT NULL,
	"disbursed_at" timestamp with time zone NOT NULL,
	"amount_fen" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement_adjustments" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"reason" text NOT NULL,
	"origin" text NOT NULL,
	"origin_id" text NOT NULL,
	"application_id" text,
	"journal_id" text NOT NULL,
	"month" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "settlement_adjustments_amount_check" CHECK ("settlement_adjustments"."amount_fen" <> 0)
);
--> statement-breakpoint
CREATE TABLE "statement_line_reviews" (
	"line_id" bigint PRIMARY KEY NOT NULL,
	"statement_id" text NOT NULL,
	"decision" text NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone NOT NULL,
	"resolution" text,
	"resolution_note" text,
	"adjustment_id" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "statement_lines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"statement_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"kind" text NOT NULL,
	"source_key" text NOT NULL,
	"application_id" text,
	"rule" text,
	"event_at" timestamp with time zone NOT NULL,
	"event_month" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	CONSTRAINT "statement_lines_source_key_unique" UNIQUE("source_key")
);
--> statement-breakpoint
CREATE TABLE "statement_payments" (
	"id" text PRIMARY KEY NOT NULL,
	"statement_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"method" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"reference" text NOT NULL,
	"source_key" text NOT NULL,
	"journal_id" text NOT NULL,
	"recorded_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "statement_payments_source_key_unique" UNIQUE("source_key"),
	CONSTRAINT "statement_payments_amount_check" CHECK ("statement_payments"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "statements" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"period" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"subtotals" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"adjustments_fen" bigint DEFAULT 0 NOT NULL,
	"late_fen" bigint DEFAULT 0 NOT NULL,
	"total_fen" bigint NOT NULL,
	"line_count" integer NOT NULL,
	"due_date" text NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone,
	"paid_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"object_id" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_payment_intents" (
	"id" text PRIMARY KEY NOT NULL,
	"statement_id" text NOT NULL,
	"status" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reconciliation_differences" ADD CONSTRAINT "reconciliation_differences_import_id_reconciliation_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."reconciliation_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_differences" ADD CONSTRAINT "reconciliation_differences_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_imports" ADD CONSTRAINT "reconciliation_imports_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_rows" ADD CONSTRAINT "reconciliation_rows_import_id_reconciliation_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."reconciliation_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_adjustments" ADD CONSTRAINT "settlement_adjustments_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_adjustments" ADD CONSTRAINT "settlement_adjustments_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_line_reviews" ADD CONSTRAINT "statement_line_reviews_line_id_statement_lines_id_fk" FOREIGN KEY ("line_id") REFERENCES "public"."statement_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_line_reviews" ADD CONSTRAINT "statement_line_reviews_statement_id_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_lines" ADD CONSTRAINT "statement_lines_statement_id_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD CONSTRAINT "statement_payments_statement_id_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD CONSTRAINT "statement_payments_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD CONSTRAINT "statement_payments_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statements" ADD CONSTRAINT "statements_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_payment_intents" ADD CONSTRAINT "stripe_payment_intents_statement_id_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reconciliation_differences_import_idx" ON "reconciliation_differences" USING btree ("import_id");--> statement-breakpoint
CREATE INDEX "reconciliation_differences_open_idx" ON "reconciliation_differences" USING btree ("institution_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliation_imports_hash_uq" ON "reconciliation_imports" USING btree ("institution_id","file_hash");--> statement-breakpoint
CREATE INDEX "reconciliation_imports_institution_idx" ON "reconciliation_imports" USING btree ("institution_id","created_at");--> statement-breakpoint
CREATE INDEX "reconciliation_rows_import_idx" ON "reconciliation_rows" USING btree ("import_id");--> statement-breakpoint
CREATE UNIQUE INDEX "settlement_adjustments_origin_uq" ON "settlement_adjustments" USING btree ("origin","origin_id");--> statement-breakpoint
CREATE INDEX "settlement_adjustments_institution_idx" ON "settlement_adjustments" USING btree ("institution_id","month");--> statement-breakpoint
CREATE INDEX "statement_line_reviews_statement_idx" ON "statement_line_reviews" USING btree ("statement_id");--> statement-breakpoint
CREATE UNIQUE INDEX "statement_lines_statement_line_uq" ON "statement_lines" USING btree ("statement_id","line_no");--> statement-breakpoint
CREATE INDEX "statement_payments_statement_idx" ON "statement_payments" USING btree ("statement_id");--> statement-breakpoint
CREATE INDEX "statement_payments_paid_idx" ON "statement_payments" USING btree ("paid_at");--> statement-breakpoint
CREATE UNIQUE INDEX "statements_institution_period_uq" ON "statements" USING btree ("institution_id","period");--> statement-breakpoint
CREATE INDEX "statements_status_idx" ON "statements" USING btree ("status","due_date");