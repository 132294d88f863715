CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_prefix_unique" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "institutions" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"short_name" text NOT NULL,
	"kind" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "institutions_name_unique" UNIQUE("name"),
	CONSTRAINT "institutions_kind_check" CHECK ("institutions"."kind" in ('bank','consumer_finance','microloan','trust','other'))
);
--> statement-breakpoint
CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"login_hash" text NOT NULL,
	"login_enc" text NOT NULL,
	"login_masked" text NOT NULL,
	"password_hash" text NOT NULL,
	"display_name" text NOT NULL,
	"role" text NOT NULL,
	"institution_id" text,
	"status" text DEFAULT 'active' NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accounts_institution_staff_check" CHECK (("accounts"."kind" = 'institution') = ("accounts"."institution_id" is not null)),
	CONSTRAINT "accounts_role_check" CHECK (("accounts"."kind" = 'consumer' and "accounts"."role" = 'consumer')
        or ("accounts"."kind" = 'institution' and "accounts"."role" in ('admin','staff'))
        or ("accounts"."kind" = 'operator' and "accounts"."role" in ('admin','operator')))
);
--> statement-breakpoint
CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL,
	"min_amount_fen" bigint NOT NULL,
	"max_amount_fen" bigint NOT NULL,
	"term_options" integer[] NOT NULL,
	"rate_min" numeric(8, 6) NOT NULL,
	"rate_max" numeric(8, 6) NOT NULL,
	"upfront_fee_rate" numeric(8, 6) DEFAULT '0' NOT NULL,
	"monthly_fee_rate" numeric(8, 6) DEFAULT '0' NOT NULL,
	"repayment_methods" text[] NOT NULL,
	"eligibility" jsonb NOT NULL,
	"required_documents" text[] DEFAULT '{}'::text[] NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"decision_minutes" integer NOT NULL,
	"disbursement_hours" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_amounts_check" CHECK ("products"."min_amount_fen" > 0 and "products"."max_amount_fen" >= "products"."min_amount_fen"),
	CONSTRAINT "products_rates_check" CHECK ("products"."rate_min" >= 0 and "products"."rate_max" >= "products"."rate_min"),
	CONSTRAINT "products_fees_check" CHECK ("products"."upfront_fee_rate" >= 0 and "products"."monthly_fee_rate" >= 0),
	CONSTRAINT "products_terms_check" CHECK (cardinality("products"."term_options") > 0),
	CONSTRAINT "products_methods_check" CHECK (cardinality("products"."repayment_methods") > 0),
	CONSTRAINT "products_status_check" CHECK ("products"."status" in ('draft','in_review','listed','paused','delisted'))
);
--> statement-breakpoint
CREATE TABLE "application_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" text,
	"note" text DEFAULT '' NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" text PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"product_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"term_months" integer NOT NULL,
	"purpose" text NOT NULL,
	"applicant_name_enc" text NOT NULL,
	"applicant_city" text NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"offered_amount_fen" bigint,
	"offered_term_months" integer,
	"offered_apr" numeric(8, 6),
	"reject_reason" text,
	"disbursed_amount_fen" bigint,
	"disbursed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "applications_amount_check" CHECK ("applications"."amount_fen" > 0 and "applications"."term_months" > 0),
	CONSTRAINT "applications_status_check" CHECK ("applications"."status" in ('submitted','reviewing','approved','rejected','disbursed','withdrawn','expired')),
	CONSTRAINT "applications_disbursed_check" CHECK (("applications"."status" <> 'disbursed') or ("applications"."disbursed_amount_fen" > 0 and "applications"."disbursed_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "agreements" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"version" integer NOT NULL,
	"cpa_fen" bigint DEFAULT 0 NOT NULL,
	"cps_rate" numeric(8, 6) DEFAULT '0' NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"effective_to" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agreements_terms_check" CHECK ("agreements"."cpa_fen" >= 0 and "agreements"."cps_rate" >= 0 and "agreements"."cps_rate" < 1),
	CONSTRAINT "agreements_dates_check" CHECK ("agreements"."effective_to" is null or "agreements"."effective_to" > "agreements"."effective_from")
);
--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"journal_id" text NOT NULL,
	"account" text NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"amount_fen" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entries_nonzero_check" CHECK ("ledger_entries"."amount_fen" <> 0)
);
--> statement-breakpoint
CREATE TABLE "ledger_journals" (
	"id" text PRIMARY KEY NOT NULL,
	"source_key" text NOT NULL,
	"kind" text NOT NULL,
	"institution_id" text,
	"application_id" text,
	"agreement_id" text,
	"memo" text DEFAULT '' NOT NULL,
	"posted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_journals_source_key_unique" UNIQUE("source_key")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"object_type" text NOT NULL,
	"object_id" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"request_id" text,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_events" ADD CONSTRAINT "application_events_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_consumer_id_accounts_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_journals" ADD CONSTRAINT "ledger_journals_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_institution_idx" ON "api_keys" USING btree ("institution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_kind_login_uq" ON "accounts" USING btree ("kind","login_hash");--> statement-breakpoint
CREATE INDEX "accounts_institution_idx" ON "accounts" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "products_institution_idx" ON "products" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "products_status_idx" ON "products" USING btree ("status");--> statement-breakpoint
CREATE INDEX "application_events_application_idx" ON "application_events" USING btree ("application_id","id");--> statement-breakpoint
CREATE INDEX "applications_consumer_idx" ON "applications" USING btree ("consumer_id","created_at");--> statement-breakpoint
CREATE INDEX "applications_institution_idx" ON "applications" USING btree ("institution_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_institution_version_uq" ON "agreements" USING btree ("institution_id","version");--> statement-breakpoint
CREATE INDEX "ledger_entries_journal_idx" ON "ledger_entries" USING btree ("journal_id");--> statement-breakpoint
CREATE INDEX "ledger_entries_account_idx" ON "ledger_entries" USING btree ("account");--> statement-breakpoint
CREATE INDEX "ledger_journals_institution_idx" ON "ledger_journals" USING btree ("institution_id","posted_at");--> statement-breakpoint
CREATE INDEX "audit_log_object_idx" ON "audit_log" USING btree ("object_type","object_id");--> statement-breakpoint
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at");