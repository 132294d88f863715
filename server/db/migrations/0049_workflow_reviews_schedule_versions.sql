CREATE TABLE "approval_policies" (
	"institution_id" text PRIMARY KEY NOT NULL,
	"threshold_fen" bigint,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approval_policies_threshold_check" CHECK ("approval_policies"."threshold_fen" is null or "approval_policies"."threshold_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "approval_reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"application_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"change" jsonb NOT NULL,
	"maker_id" text NOT NULL,
	"maker_name" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"checker_id" text,
	"checker_name" text,
	"return_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "approval_reviews_status_check" CHECK ("approval_reviews"."status" in ('pending','confirmed','returned')),
	CONSTRAINT "approval_reviews_checker_check" CHECK ("approval_reviews"."checker_id" is null or "approval_reviews"."checker_id" <> "approval_reviews"."maker_id")
);
--> statement-breakpoint
CREATE TABLE "loan_schedule_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"loan_id" text NOT NULL,
	"consumer_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"kind" text NOT NULL,
	"extra_periods" integer,
	"requested_term_months" integer,
	"reason" text NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"offered_term_months" integer,
	"offered_annual_rate" numeric(8, 6),
	"offered_fee_fen" bigint,
	"offered_apr" numeric(8, 6),
	"offered_lines" jsonb,
	"offered_at" timestamp with time zone,
	"offered_by" text,
	"decline_reason" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loan_schedule_changes_kind_check" CHECK (("loan_schedule_changes"."kind" = 'extension' and "loan_schedule_changes"."extra_periods" > 0) or ("loan_schedule_changes"."kind" = 'restructure' and "loan_schedule_changes"."requested_term_months" > 0)),
	CONSTRAINT "loan_schedule_changes_status_check" CHECK ("loan_schedule_changes"."status" in ('requested','offered','accepted','declined','withdrawn'))
);
--> statement-breakpoint
CREATE TABLE "loan_schedule_versions" (
	"loan_id" text NOT NULL,
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"change_id" text,
	"annual_rate" numeric(8, 6) NOT NULL,
	"lines" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "loans" ADD COLUMN "schedule_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "loans" ADD COLUMN "schedule_change" text;--> statement-breakpoint
ALTER TABLE "approval_policies" ADD CONSTRAINT "approval_policies_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_reviews" ADD CONSTRAINT "approval_reviews_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_reviews" ADD CONSTRAINT "approval_reviews_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_schedule_changes" ADD CONSTRAINT "loan_schedule_changes_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_schedule_changes" ADD CONSTRAINT "loan_schedule_changes_consumer_id_accounts_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_schedule_changes" ADD CONSTRAINT "loan_schedule_changes_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_schedule_versions" ADD CONSTRAINT "loan_schedule_versions_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_schedule_versions" ADD CONSTRAINT "loan_schedule_versions_change_id_loan_schedule_changes_id_fk" FOREIGN KEY ("change_id") REFERENCES "public"."loan_schedule_changes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "approval_reviews_pending_uq" ON "approval_reviews" USING btree ("application_id") WHERE "approval_reviews"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "approval_reviews_institution_idx" ON "approval_reviews" USING btree ("institution_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "loan_schedule_changes_open_uq" ON "loan_schedule_changes" USING btree ("loan_id") WHERE "loan_schedule_changes"."status" in ('requested','offered');--> statement-breakpoint
CREATE INDEX "loan_schedule_changes_institution_idx" ON "loan_schedule_changes" USING btree ("institution_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "loan_schedule_versions_uq" ON "loan_schedule_versions" USING btree ("loan_id","version");