CREATE TABLE "product_status_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"reason" text,
	"actor_kind" text NOT NULL,
	"actor_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product_versions" (
	"id" text PRIMARY KEY NOT NULL,
	"product_id" text NOT NULL,
	"version" integer NOT NULL,
	"params" jsonb NOT NULL,
	"apr_min" numeric(8, 6) NOT NULL,
	"apr_max" numeric(8, 6) NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"submitted_by" text,
	"submitted_at" timestamp with time zone,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"review_comment" text,
	"checklist" jsonb,
	CONSTRAINT "product_versions_product_version_unique" UNIQUE("product_id","version"),
	CONSTRAINT "product_versions_status_check" CHECK ("product_versions"."status" in ('draft','submitted','approved','returned','superseded'))
);
--> statement-breakpoint
CREATE TABLE "promotions" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"product_id" text NOT NULL,
	"kind" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'requested' NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"requested_by" text,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"review_comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotions_period_check" CHECK ("promotions"."ends_at" > "promotions"."starts_at"),
	CONSTRAINT "promotions_kind_check" CHECK ("promotions"."kind" in ('recommendation','featured')),
	CONSTRAINT "promotions_status_check" CHECK ("promotions"."status" in ('requested','approved','rejected','cancelled'))
);
--> statement-breakpoint
CREATE TABLE "ranking_rules" (
	"id" serial PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"weights" jsonb NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ranking_rules_version_unique" UNIQUE("version")
);
--> statement-breakpoint
ALTER TABLE "product_status_changes" ADD CONSTRAINT "product_status_changes_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_versions" ADD CONSTRAINT "product_versions_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotions" ADD CONSTRAINT "promotions_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotions" ADD CONSTRAINT "promotions_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "product_status_changes_product_idx" ON "product_status_changes" USING btree ("product_id","id");--> statement-breakpoint
CREATE INDEX "product_versions_queue_idx" ON "product_versions" USING btree ("status","submitted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "product_versions_one_submitted_idx" ON "product_versions" USING btree ("product_id") WHERE "product_versions"."status" = 'submitted';--> statement-breakpoint
CREATE INDEX "promotions_institution_idx" ON "promotions" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "promotions_active_idx" ON "promotions" USING btree ("status","starts_at","ends_at");