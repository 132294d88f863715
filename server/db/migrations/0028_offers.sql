CREATE TABLE "offers" (
	"application_id" text PRIMARY KEY NOT NULL,
	"amount_fen" bigint NOT NULL,
	"term_months" integer NOT NULL,
	"repayment_method" text NOT NULL,
	"apr" numeric(8, 6) NOT NULL,
	"nominal_rate" numeric(8, 6) NOT NULL,
	"first_payment_fen" bigint NOT NULL,
	"total_repayment_fen" bigint NOT NULL,
	"total_cost_fen" bigint NOT NULL,
	"advertised_apr_low" numeric(8, 6) NOT NULL,
	"advertised_apr_high" numeric(8, 6) NOT NULL,
	"above_advertised" boolean NOT NULL,
	"pricing_reason" text,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decline_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "offers_amount_check" CHECK ("offers"."amount_fen" > 0 and "offers"."term_months" > 0 and "offers"."first_payment_fen" > 0 and "offers"."total_repayment_fen" > 0 and "offers"."total_cost_fen" >= 0),
	CONSTRAINT "offers_apr_check" CHECK ("offers"."apr" >= 0 and "offers"."apr" <= 0.36),
	CONSTRAINT "offers_reason_check" CHECK ((not "offers"."above_advertised") or "offers"."pricing_reason" is not null)
);
--> statement-breakpoint
ALTER TABLE "applications" DROP CONSTRAINT "applications_status_check";--> statement-breakpoint
ALTER TABLE "offers" ADD CONSTRAINT "offers_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "offers_expires_idx" ON "offers" USING btree ("expires_at") WHERE "offers"."decided_at" is null;--> statement-breakpoint
CREATE INDEX "offers_above_idx" ON "offers" USING btree ("created_at") WHERE "offers"."above_advertised";--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" CHECK ("applications"."status" in ('submitted','reviewing','approved','accepted','declined','rejected','disbursed','withdrawn','expired'));