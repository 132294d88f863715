CREATE TABLE "funnel_applicant_days" (
	"visitor" text NOT NULL,
	"day" date NOT NULL,
	"previous_day" date,
	"last_view_day" date,
	"next_view_day" date,
	"next_approved_day" date,
	"next_disbursed_day" date,
	"channel_id" text NOT NULL,
	CONSTRAINT "funnel_applicant_days_visitor_day_pk" PRIMARY KEY("visitor","day")
);
--> statement-breakpoint
CREATE TABLE "funnel_rollup_days" (
	"day" date PRIMARY KEY NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "funnel_visitor_days" (
	"day" date NOT NULL,
	"step" text NOT NULL,
	"channel_id" text NOT NULL,
	"previous_day" date,
	"people" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "funnel_applicant_days_day_idx" ON "funnel_applicant_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "funnel_visitor_days_day_idx" ON "funnel_visitor_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "visitor_keys_visitor_idx" ON "visitor_keys" USING btree ("visitor");