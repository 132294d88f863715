DROP INDEX "applications_unanswered_idx";--> statement-breakpoint
ALTER TABLE "application_status_counts" ADD COLUMN "institution_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "application_status_counts" ADD COLUMN "unanswered" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "applications_unanswered_idx" ON "applications" USING btree ("created_at","institution_id") WHERE "applications"."status" = 'submitted' and "applications"."first_response_at" is null;--> statement-breakpoint
-- hand-written: the status counters per institution, with the unanswered ones among them, so the
-- dashboard's stale leads are the unanswered count less the unanswered leads of the last 24 hours
-- (a short range of applications_unanswered_idx) instead of a read of every unanswered lead.
-- Writers wait until this migration commits, so the recount below misses no change.
LOCK TABLE applications IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION application_status_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_status_counts (institution_id, status, n, unanswered)
    SELECT institution_id, status, count(*), count(*) FILTER (WHERE first_response_at IS NULL) FROM added GROUP BY 1, 2;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION application_status_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_status_counts (institution_id, status, n, unanswered)
    SELECT institution_id, status, sum(n), sum(u) FROM (
      SELECT institution_id, status, 1 AS n, (first_response_at IS NULL)::int AS u FROM added
      UNION ALL SELECT institution_id, status, -1, -(first_response_at IS NULL)::int FROM removed
    ) d GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(u) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION application_status_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_status_counts (institution_id, status, n, unanswered)
    SELECT institution_id, status, -count(*), -count(*) FILTER (WHERE first_response_at IS NULL) FROM removed GROUP BY 1, 2;
  RETURN NULL;
END $$;
--> statement-breakpoint
DELETE FROM application_status_counts;
--> statement-breakpoint
INSERT INTO application_status_counts (institution_id, status, n, unanswered)
  SELECT institution_id, status, count(*), count(*) FILTER (WHERE first_response_at IS NULL) FROM applications GROUP BY 1, 2;
