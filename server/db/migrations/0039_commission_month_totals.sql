CREATE TABLE "commission_month_totals" (
	"institution_id" text NOT NULL,
	"rule" text NOT NULL,
	"month" text NOT NULL,
	"count" integer NOT NULL,
	"amount_fen" bigint NOT NULL,
	CONSTRAINT "commission_month_totals_institution_id_rule_month_pk" PRIMARY KEY("institution_id","rule","month")
);
--> statement-breakpoint
-- Kept by the database for every writer: one upsert per (institution, rule, month) per statement.
CREATE FUNCTION commission_month_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO commission_month_totals (institution_id, rule, month, count, amount_fen)
    SELECT institution_id, rule, month, count(*), sum(amount_fen) FROM added GROUP BY 1, 2, 3
  ON CONFLICT (institution_id, rule, month) DO UPDATE
    SET count = commission_month_totals.count + excluded.count, amount_fen = commission_month_totals.amount_fen + excluded.amount_fen;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER commission_accruals_month_totals AFTER INSERT ON commission_accruals
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION commission_month_totals_add();
--> statement-breakpoint
CREATE FUNCTION commission_month_totals_subtract() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO commission_month_totals (institution_id, rule, month, count, amount_fen)
    SELECT a.institution_id, a.rule, a.month, -count(*), -sum(a.amount_fen)
      FROM added r JOIN commission_accruals a ON a.source_key = r.source_key GROUP BY 1, 2, 3
  ON CONFLICT (institution_id, rule, month) DO UPDATE
    SET count = commission_month_totals.count + excluded.count, amount_fen = commission_month_totals.amount_fen + excluded.amount_fen;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER commission_reversals_month_totals AFTER INSERT ON commission_reversals
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION commission_month_totals_subtract();
--> statement-breakpoint
INSERT INTO commission_month_totals (institution_id, rule, month, count, amount_fen)
  SELECT a.institution_id, a.rule, a.month, count(*), sum(a.amount_fen)
    FROM commission_accruals a
   WHERE NOT EXISTS (SELECT 1 FROM commission_reversals r WHERE r.source_key = a.source_key)
   GROUP BY 1, 2, 3;
--> statement-breakpoint
-- Batched posting (postJournals) writes whole journals in one statement: with
-- ledger.balanced_per_statement on (transaction-local), each INSERT into ledger_entries is checked
-- at once for every journal it touched, instead of queueing one deferred check per row. Every
-- entry is still checked: by the deferred row trigger when the setting is off, by the statement
-- trigger when it is on.
CREATE FUNCTION ledger_check_balanced_statement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced record;
BEGIN
  -- the grouped EXISTS stays a per-journal probe of ledger_entries_journal_idx (the planner
  -- knows nothing of the transition table's size and would otherwise scan the whole ledger)
  SELECT j.journal_id INTO unbalanced
    FROM (SELECT DISTINCT journal_id FROM added) j
   WHERE EXISTS (SELECT 1 FROM ledger_entries e WHERE e.journal_id = j.journal_id GROUP BY e.currency HAVING sum(e.amount_fen) <> 0)
   LIMIT 1;
  IF FOUND THEN
    SELECT e.journal_id, e.currency, sum(e.amount_fen) AS total INTO unbalanced
      FROM ledger_entries e WHERE e.journal_id = unbalanced.journal_id
     GROUP BY e.journal_id, e.currency HAVING sum(e.amount_fen) <> 0 LIMIT 1;
    RAISE EXCEPTION 'ledger journal % does not balance in %: off by %', unbalanced.journal_id, unbalanced.currency, unbalanced.total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_balanced_per_statement AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT
  WHEN (current_setting('ledger.balanced_per_statement', true) = 'on')
  EXECUTE FUNCTION ledger_check_balanced_statement();
--> statement-breakpoint
DROP TRIGGER ledger_entries_balanced ON ledger_entries;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW
  WHEN (current_setting('ledger.balanced_per_statement', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION ledger_check_balanced();
