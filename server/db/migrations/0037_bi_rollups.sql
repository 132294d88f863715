CREATE TABLE "bi_alert_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"kind" text NOT NULL,
	"subject" text,
	"threshold_points" numeric(6, 2) NOT NULL,
	"min_base" integer DEFAULT 10 NOT NULL,
	"phone_enc" text,
	"phone_masked" text DEFAULT '' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bi_alert_subscriptions_threshold_check" CHECK ("bi_alert_subscriptions"."threshold_points" > 0)
);
--> statement-breakpoint
CREATE TABLE "bi_alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"subscription_id" text NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"subject" text NOT NULL,
	"subject_label" text NOT NULL,
	"previous_rate" numeric(8, 6) NOT NULL,
	"current_rate" numeric(8, 6) NOT NULL,
	"message" text NOT NULL,
	"outbox_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bi_daily_facts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"institution_id" text DEFAULT '' NOT NULL,
	"product_id" text DEFAULT '' NOT NULL,
	"category" text DEFAULT '' NOT NULL,
	"channel_id" text DEFAULT 'organic' NOT NULL,
	"sub_id" text DEFAULT '' NOT NULL,
	"region" text DEFAULT '' NOT NULL,
	"credit_band" text DEFAULT '' NOT NULL,
	"purpose" text DEFAULT '' NOT NULL,
	"device" text DEFAULT '' NOT NULL,
	"visits" integer DEFAULT 0 NOT NULL,
	"registrations" integer DEFAULT 0 NOT NULL,
	"flagged_registrations" integer DEFAULT 0 NOT NULL,
	"applications" integer DEFAULT 0 NOT NULL,
	"approvals" integer DEFAULT 0 NOT NULL,
	"rejections" integer DEFAULT 0 NOT NULL,
	"disbursements" integer DEFAULT 0 NOT NULL,
	"disbursed_fen" bigint DEFAULT 0 NOT NULL,
	"commission_fen" bigint DEFAULT 0 NOT NULL,
	"channel_cost_fen" bigint DEFAULT 0 NOT NULL,
	"active_loans" integer DEFAULT 0 NOT NULL,
	"overdue_loans" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bi_rollup_days" (
	"day" date PRIMARY KEY NOT NULL,
	"rows" integer NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bi_saved_views" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"spec" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bi_alerts" ADD CONSTRAINT "bi_alerts_subscription_id_bi_alert_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."bi_alert_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bi_alert_subscriptions_account_idx" ON "bi_alert_subscriptions" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bi_alerts_once_uq" ON "bi_alerts" USING btree ("subscription_id","day","subject");--> statement-breakpoint
CREATE INDEX "bi_alerts_created_idx" ON "bi_alerts" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "bi_daily_facts_day_idx" ON "bi_daily_facts" USING btree ("day");--> statement-breakpoint
CREATE INDEX "bi_daily_facts_channel_idx" ON "bi_daily_facts" USING btree ("channel_id","day");--> statement-breakpoint
CREATE INDEX "bi_daily_facts_institution_idx" ON "bi_daily_facts" USING btree ("institution_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "bi_saved_views_name_uq" ON "bi_saved_views" USING btree ("account_id","name");