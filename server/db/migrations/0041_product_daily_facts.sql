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
-- the new rollup is empty until the days are rebuilt: none is complete until then
DELETE FROM "bi_rollup_days";
