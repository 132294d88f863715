-- A closed statement's lines, adjustments and payments are never changed or removed.
CREATE TRIGGER statement_lines_append_only BEFORE UPDATE OR DELETE ON statement_lines
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER settlement_adjustments_append_only BEFORE UPDATE OR DELETE ON settlement_adjustments
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER statement_payments_append_only BEFORE UPDATE OR DELETE ON statement_payments
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
