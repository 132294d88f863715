CREATE TABLE "consumer_profiles" (
	"account_id" text PRIMARY KEY NOT NULL,
	"age" integer,
	"city" text,
	"monthly_income_fen" bigint,
	"employment" text,
	"credit_self_assessment" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consumer_profiles_age_check" CHECK ("consumer_profiles"."age" is null or "consumer_profiles"."age" between 16 and 100),
	CONSTRAINT "consumer_profiles_income_check" CHECK ("consumer_profiles"."monthly_income_fen" is null or "consumer_profiles"."monthly_income_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "catalogue_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"visitor" text NOT NULL,
	"product_id" text,
	"query" text,
	"filters" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "products" DROP CONSTRAINT "products_fees_check";--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "upfront_fee_mode" text DEFAULT 'deducted' NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "guarantee_fee_rate" numeric(8, 6) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "insurance_fee_rate" numeric(8, 6) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "early_repayment_fee_rate" numeric(8, 6) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "early_repayment_free_after_months" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "apr_min" numeric(8, 6) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "products" ADD COLUMN "apr_max" numeric(8, 6) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "consumer_profiles" ADD CONSTRAINT "consumer_profiles_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalogue_events_visitor_idx" ON "catalogue_events" USING btree ("visitor","created_at");--> statement-breakpoint
CREATE INDEX "catalogue_events_product_idx" ON "catalogue_events" USING btree ("product_id","kind");--> statement-breakpoint
CREATE INDEX "products_listed_apr_idx" ON "products" USING btree ("status","apr_min");--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_apr_cap_check" CHECK ("products"."status" <> 'listed' or "products"."apr_max" <= 0.36);--> statement-breakpoint
ALTER TABLE "products" ADD CONSTRAINT "products_fees_check" CHECK ("products"."upfront_fee_rate" >= 0 and "products"."upfront_fee_rate" < 1 and "products"."monthly_fee_rate" >= 0 and "products"."guarantee_fee_rate" >= 0 and "products"."insurance_fee_rate" >= 0 and "products"."early_repayment_fee_rate" >= 0);