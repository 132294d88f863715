CREATE TABLE "commission_accruals" (
	"id" text PRIMARY KEY NOT NULL,
	"source_key" text NOT NULL,
	"rule" text NOT NULL,
	"institution_id" text NOT NULL,
	"application_id" text NOT NULL,
	"agreement_id" text NOT NULL,
	"event_at" timestamp with time zone NOT NULL,
	"month" text NOT NULL,
	"ordinal" integer NOT NULL,
	"base_amount_fen" bigint,
	"amount_fen" bigint NOT NULL,
	"journal_id" text,
	"memo" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "commission_accruals_source_key_unique" UNIQUE("source_key"),
	CONSTRAINT "commission_accruals_amount_check" CHECK ("commission_accruals"."amount_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "commission_reversals" (
	"source_key" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"journal_id" text,
	"actor_id" text,
	"reversed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agreements" DROP CONSTRAINT "agreements_terms_check";--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "cpl_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "tiers" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "cps_event_cap_fen" bigint;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "cpl_monthly_cap_fen" bigint;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "cpa_monthly_cap_fen" bigint;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "cps_monthly_cap_fen" bigint;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "reversal_window_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "note" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "agreements" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "commission_accruals" ADD CONSTRAINT "commission_accruals_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_accruals" ADD CONSTRAINT "commission_accruals_agreement_id_agreements_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "public"."agreements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_accruals" ADD CONSTRAINT "commission_accruals_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_reversals" ADD CONSTRAINT "commission_reversals_source_key_commission_accruals_source_key_fk" FOREIGN KEY ("source_key") REFERENCES "public"."commission_accruals"("source_key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "commission_reversals" ADD CONSTRAINT "commission_reversals_journal_id_ledger_journals_id_fk" FOREIGN KEY ("journal_id") REFERENCES "public"."ledger_journals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "commission_accruals_month_idx" ON "commission_accruals" USING btree ("institution_id","rule","month");--> statement-breakpoint
CREATE INDEX "commission_accruals_application_idx" ON "commission_accruals" USING btree ("application_id");--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_caps_check" CHECK (coalesce("agreements"."cps_event_cap_fen", 1) > 0 and coalesce("agreements"."cpl_monthly_cap_fen", 1) > 0 and coalesce("agreements"."cpa_monthly_cap_fen", 1) > 0 and coalesce("agreements"."cps_monthly_cap_fen", 1) > 0);--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_window_check" CHECK ("agreements"."reversal_window_days" between 0 and 365);--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_terms_check" CHECK ("agreements"."cpl_fen" >= 0 and "agreements"."cpa_fen" >= 0 and "agreements"."cps_rate" >= 0 and "agreements"."cps_rate" < 1);