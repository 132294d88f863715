CREATE TABLE "collection_cases" (
	"id" text PRIMARY KEY NOT NULL,
	"loan_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"stage" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"assignee_id" text,
	"outcome" text,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "collection_notes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"author_id" text,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contact_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"loan_id" text NOT NULL,
	"channel" text NOT NULL,
	"target" text DEFAULT 'borrower' NOT NULL,
	"result" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"staff_id" text,
	"day" date NOT NULL,
	"attempted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contact_attempts_target_check" CHECK ("contact_attempts"."target" = 'borrower')
);
--> statement-breakpoint
CREATE TABLE "loan_instalments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"loan_id" text NOT NULL,
	"period" integer NOT NULL,
	"due_date" date NOT NULL,
	"principal_fen" bigint NOT NULL,
	"interest_fen" bigint NOT NULL,
	"fee_fen" bigint NOT NULL,
	"paid_principal_fen" bigint DEFAULT 0 NOT NULL,
	"paid_interest_fen" bigint DEFAULT 0 NOT NULL,
	"paid_fee_fen" bigint DEFAULT 0 NOT NULL,
	"waived_interest_fen" bigint DEFAULT 0 NOT NULL,
	"waived_fee_fen" bigint DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"paid_off_at" timestamp with time zone,
	CONSTRAINT "loan_instalments_balance_check" CHECK ("loan_instalments"."paid_principal_fen" >= 0 and "loan_instalments"."paid_interest_fen" >= 0 and "loan_instalments"."paid_fee_fen" >= 0 and "loan_instalments"."waived_interest_fen" >= 0 and "loan_instalments"."waived_fee_fen" >= 0
        and "loan_instalments"."paid_principal_fen" <= "loan_instalments"."principal_fen"
        and "loan_instalments"."paid_interest_fen" + "loan_instalments"."waived_interest_fen" <= "loan_instalments"."interest_fen"
        and "loan_instalments"."paid_fee_fen" + "loan_instalments"."waived_fee_fen" <= "loan_instalments"."fee_fen")
);
--> statement-breakpoint
CREATE TABLE "loan_notices" (
	"key" text PRIMARY KEY NOT NULL,
	"loan_id" text NOT NULL,
	"kind" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "loan_repayments" (
	"id" text PRIMARY KEY NOT NULL,
	"loan_id" text NOT NULL,
	"transaction_id" text NOT NULL,
	"kind" text DEFAULT 'regular' NOT NULL,
	"amount_fen" bigint NOT NULL,
	"allocated_fen" bigint NOT NULL,
	"early_fee_fen" bigint DEFAULT 0 NOT NULL,
	"excess_fen" bigint DEFAULT 0 NOT NULL,
	"allocation" jsonb NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"recorded_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loan_repayments_amount_check" CHECK ("loan_repayments"."amount_fen" > 0 and "loan_repayments"."allocated_fen" + "loan_repayments"."early_fee_fen" + "loan_repayments"."excess_fen" = "loan_repayments"."amount_fen")
);
--> statement-breakpoint
CREATE TABLE "loans" (
	"id" text PRIMARY KEY NOT NULL,
	"application_id" text NOT NULL,
	"consumer_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"product_id" text NOT NULL,
	"principal_fen" bigint NOT NULL,
	"annual_rate" numeric(8, 6) NOT NULL,
	"term_months" integer NOT NULL,
	"method" text NOT NULL,
	"upfront_fee_fen" bigint DEFAULT 0 NOT NULL,
	"monthly_fee_fen" bigint DEFAULT 0 NOT NULL,
	"early_repayment_fee_rate" numeric(8, 6) DEFAULT '0' NOT NULL,
	"early_repayment_free_after" integer DEFAULT 0 NOT NULL,
	"disbursed_at" timestamp with time zone NOT NULL,
	"first_due_date" date NOT NULL,
	"schedule_source" text DEFAULT 'generated' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"settled_at" timestamp with time zone,
	"overdue_stage" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loans_amounts_check" CHECK ("loans"."principal_fen" > 0 and "loans"."term_months" > 0 and "loans"."upfront_fee_fen" >= 0 and "loans"."monthly_fee_fen" >= 0),
	CONSTRAINT "loans_status_check" CHECK ("loans"."status" in ('active','settled'))
);
--> statement-breakpoint
CREATE TABLE "promises_to_pay" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"loan_id" text NOT NULL,
	"promised_date" date NOT NULL,
	"amount_fen" bigint NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"evaluated_at" timestamp with time zone,
	CONSTRAINT "promises_to_pay_amount_check" CHECK ("promises_to_pay"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "repayment_channels" (
	"institution_id" text PRIMARY KEY NOT NULL,
	"text" text NOT NULL,
	"url" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "collection_cases" ADD CONSTRAINT "collection_cases_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_cases" ADD CONSTRAINT "collection_cases_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_cases" ADD CONSTRAINT "collection_cases_assignee_id_accounts_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_notes" ADD CONSTRAINT "collection_notes_case_id_collection_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."collection_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_notes" ADD CONSTRAINT "collection_notes_author_id_accounts_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_attempts" ADD CONSTRAINT "contact_attempts_case_id_collection_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."collection_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_attempts" ADD CONSTRAINT "contact_attempts_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_attempts" ADD CONSTRAINT "contact_attempts_staff_id_accounts_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_instalments" ADD CONSTRAINT "loan_instalments_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_notices" ADD CONSTRAINT "loan_notices_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_repayments" ADD CONSTRAINT "loan_repayments_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_consumer_id_accounts_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_case_id_collection_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."collection_cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "repayment_channels" ADD CONSTRAINT "repayment_channels_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "collection_cases_open_uq" ON "collection_cases" USING btree ("loan_id") WHERE "collection_cases"."status" = 'open';--> statement-breakpoint
CREATE INDEX "collection_cases_institution_idx" ON "collection_cases" USING btree ("institution_id","status","opened_at");--> statement-breakpoint
CREATE INDEX "collection_notes_case_idx" ON "collection_notes" USING btree ("case_id","id");--> statement-breakpoint
CREATE INDEX "contact_attempts_loan_day_idx" ON "contact_attempts" USING btree ("loan_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "loan_instalments_period_uq" ON "loan_instalments" USING btree ("loan_id","period");--> statement-breakpoint
CREATE INDEX "loan_instalments_due_idx" ON "loan_instalments" USING btree ("status","due_date");--> statement-breakpoint
CREATE INDEX "loan_notices_loan_idx" ON "loan_notices" USING btree ("loan_id");--> statement-breakpoint
CREATE UNIQUE INDEX "loan_repayments_txn_uq" ON "loan_repayments" USING btree ("loan_id","transaction_id");--> statement-breakpoint
CREATE INDEX "loan_repayments_loan_idx" ON "loan_repayments" USING btree ("loan_id","paid_at");--> statement-breakpoint
CREATE UNIQUE INDEX "loans_application_uq" ON "loans" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "loans_consumer_idx" ON "loans" USING btree ("consumer_id","created_at");--> statement-breakpoint
CREATE INDEX "loans_institution_idx" ON "loans" USING btree ("institution_id","status","created_at");--> statement-breakpoint
CREATE INDEX "promises_to_pay_status_idx" ON "promises_to_pay" USING btree ("status","promised_date");