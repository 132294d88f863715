CREATE TABLE "application_status_counts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"status" text NOT NULL,
	"n" integer NOT NULL,
	"unanswered" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "receivable_balances" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"institution_id" text NOT NULL,
	"amount_fen" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "applications_unanswered_idx" ON "applications" USING btree ("created_at","institution_id") WHERE "applications"."status" = 'submitted' and "applications"."first_response_at" is null;--> statement-breakpoint
-- hand-written: the dashboard's counters, kept by the database for every writer: application
-- status counts per institution (with the unanswered ones among them) and receivable balances.
-- Triggers only ever INSERT delta rows (one per institution and status, or institution, per
-- statement), so concurrent writers never wait on a counter row; a count is the sum of its rows,
-- folded into one row by the tickers. The dashboard's stale leads are the unanswered count less
-- the unanswered leads of the last 24 hours (a short range of applications_unanswered_idx).
-- Writers wait until this migration commits, so the backfill below misses no change.
LOCK TABLE applications IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE FUNCTION application_status_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_status_counts (institution_id, status, n, unanswered)
    SELECT institution_id, status, count(*), count(*) FILTER (WHERE first_response_at IS NULL) FROM added GROUP BY 1, 2;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION application_status_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_status_counts (institution_id, status, n, unanswered)
    SELECT institution_id, status, sum(n), sum(u) FROM (
      SELECT institution_id, status, 1 AS n, (first_response_at IS NULL)::int AS u FROM added
      UNION ALL SELECT institution_id, status, -1, -(first_response_at IS NULL)::int FROM removed
    ) d GROUP BY 1, 2 HAVING sum(n) <> 0 OR sum(u) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION application_status_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO application_status_counts (institution_id, status, n, unanswered)
    SELECT institution_id, status, -count(*), -count(*) FILTER (WHERE first_response_at IS NULL) FROM removed GROUP BY 1, 2;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION application_status_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM application_status_counts;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER applications_status_counts_insert AFTER INSERT ON applications
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION application_status_counts_inserted();
--> statement-breakpoint
CREATE TRIGGER applications_status_counts_update AFTER UPDATE ON applications
  REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION application_status_counts_updated();
--> statement-breakpoint
CREATE TRIGGER applications_status_counts_delete AFTER DELETE ON applications
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION application_status_counts_deleted();
--> statement-breakpoint
CREATE TRIGGER applications_status_counts_truncate AFTER TRUNCATE ON applications
  FOR EACH STATEMENT EXECUTE FUNCTION application_status_counts_truncated();
--> statement-breakpoint
-- the ledger is append-only (0001): inserts are the only change a balance can see
CREATE FUNCTION receivable_balances_posted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO receivable_balances (institution_id, amount_fen)
    SELECT substr(account, length('receivable:institution:') + 1), sum(amount_fen) FROM added
     WHERE account LIKE 'receivable:institution:%' GROUP BY 1 HAVING sum(amount_fen) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_receivable_balances AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION receivable_balances_posted();
--> statement-breakpoint
-- backfill: the triggers above and the lock hold the tables' writers until this migration commits
INSERT INTO application_status_counts (institution_id, status, n, unanswered)
  SELECT institution_id, status, count(*), count(*) FILTER (WHERE first_response_at IS NULL) FROM applications GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO receivable_balances (institution_id, amount_fen)
  SELECT substr(account, length('receivable:institution:') + 1), sum(amount_fen) FROM ledger_entries
   WHERE account LIKE 'receivable:institution:%' GROUP BY 1 HAVING sum(amount_fen) <> 0;
