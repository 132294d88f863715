CREATE TABLE "prescreen_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"name" text NOT NULL,
	"field" text NOT NULL,
	"operator" text NOT NULL,
	"value" text NOT NULL,
	"action" text NOT NULL,
	"reject_reason" text,
	"active" boolean DEFAULT true NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"hits" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prescreen_rules_decline_reason_check" CHECK ("prescreen_rules"."action" <> 'decline' or "prescreen_rules"."reject_reason" is not null)
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "queue" text DEFAULT 'normal' NOT NULL;--> statement-breakpoint
ALTER TABLE "prescreen_rules" ADD CONSTRAINT "prescreen_rules_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "prescreen_rules_institution_idx" ON "prescreen_rules" USING btree ("institution_id","priority");