CREATE TABLE "institution_profile_drafts" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"proposed" jsonb NOT NULL,
	"previous" jsonb NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"submitted_by" text NOT NULL,
	"submitted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"review_comment" text,
	CONSTRAINT "institution_profile_drafts_status_check" CHECK ("institution_profile_drafts"."status" in ('submitted','approved','rejected'))
);
--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "regulator" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "service_phone" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "service_hours" text;--> statement-breakpoint
ALTER TABLE "institution_profile_drafts" ADD CONSTRAINT "institution_profile_drafts_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "institution_profile_drafts_institution_idx" ON "institution_profile_drafts" USING btree ("institution_id","submitted_at");--> statement-breakpoint
CREATE INDEX "institution_profile_drafts_queue_idx" ON "institution_profile_drafts" USING btree ("status","submitted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "institution_profile_drafts_one_submitted_uq" ON "institution_profile_drafts" USING btree ("institution_id") WHERE "institution_profile_drafts"."status" = 'submitted';