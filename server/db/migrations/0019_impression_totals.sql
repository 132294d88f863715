CREATE TABLE "catalogue_impressions" (
	"day" date NOT NULL,
	"product_id" text NOT NULL,
	"channel" text NOT NULL,
	"list" text NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "catalogue_impressions_day_product_id_channel_list_pk" PRIMARY KEY("day","product_id","channel","list")
);
--> statement-breakpoint
CREATE INDEX "catalogue_impressions_product_idx" ON "catalogue_impressions" USING btree ("product_id","day");