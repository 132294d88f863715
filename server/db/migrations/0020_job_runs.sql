CREATE TABLE "job_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"job_name" text NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"trigger" text NOT NULL,
	"outcome" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"processed" integer,
	"detail" jsonb,
	"error" text,
	"instance_id" text NOT NULL,
	"fencing_token" bigint,
	"attempt" integer DEFAULT 1 NOT NULL,
	"requested_by" text,
	CONSTRAINT "job_runs_trigger_check" CHECK ("job_runs"."trigger" in ('schedule', 'catch_up', 'manual')),
	CONSTRAINT "job_runs_outcome_check" CHECK ("job_runs"."outcome" in ('running', 'succeeded', 'failed', 'skipped_locked'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_instant_uq" ON "job_runs" USING btree ("job_name","scheduled_for") WHERE "job_runs"."trigger" <> 'manual';--> statement-breakpoint
CREATE INDEX "job_runs_job_started_idx" ON "job_runs" USING btree ("job_name","started_at");