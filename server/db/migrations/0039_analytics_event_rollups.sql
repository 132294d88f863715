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
ALTER TABLE "bi_daily_facts" ADD COLUMN "responded" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "bi_daily_facts" ADD COLUMN "response_ms" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- the rolled-up days predate the new rollups: none is complete until rebuilt (the ticker refills the last 90 days; older ones are read from the raw rows until an operator rebuilds them)
DELETE FROM "bi_rollup_days";
