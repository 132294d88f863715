CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"application_id" text NOT NULL,
	"kind" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "documents_application_idx" ON "documents" USING btree ("application_id");