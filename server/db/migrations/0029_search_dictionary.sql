CREATE TABLE "search_dictionary_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"entries" jsonb NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_by" text,
	"author" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "search_dictionary_versions_version_unique" UNIQUE("version")
);
--> statement-breakpoint
ALTER TABLE "catalogue_events" ADD COLUMN "result_count" integer;