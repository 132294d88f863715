CREATE TABLE "catalogue_event_days" (
	"day" date NOT NULL,
	"product_id" text NOT NULL,
	"channel" text NOT NULL,
	"clicks" integer DEFAULT 0 NOT NULL,
	"applies" integer DEFAULT 0 NOT NULL,
	"searches" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "catalogue_event_days_day_product_id_channel_pk" PRIMARY KEY("day","product_id","channel")
);
--> statement-breakpoint
CREATE TABLE "platform_days" (
	"day" date PRIMARY KEY NOT NULL,
	"visitors" integer DEFAULT 0 NOT NULL,
	"complaints" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product_daily_facts" (
	"day" date NOT NULL,
	"institution_id" text NOT NULL,
	"product_id" text NOT NULL,
	"applications" integer DEFAULT 0 NOT NULL,
	"approvals" integer DEFAULT 0 NOT NULL,
	"rejections" integer DEFAULT 0 NOT NULL,
	"disbursements" integer DEFAULT 0 NOT NULL,
	"disbursed_fen" bigint DEFAULT 0 NOT NULL,
	"commission_fen" bigint DEFAULT 0 NOT NULL,
	"responded" integer DEFAULT 0 NOT NULL,
	"response_ms" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "product_daily_facts_day_institution_id_product_id_pk" PRIMARY KEY("day","institution_id","product_id")
);
--> statement-breakpoint
CREATE TABLE "visitor_keys" (
	"account_id" text PRIMARY KEY NOT NULL,
	"visitor" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "bi_daily_facts" ADD COLUMN "responded" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bi_daily_facts" ADD COLUMN "response_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- the rolled-up days predate the new rollups: none is complete until rebuilt (the ticker refills the last 90 days; older ones are read from the raw rows until an operator rebuilds them: docs/operations.md, statistics rollups)
DELETE FROM "bi_rollup_days";
