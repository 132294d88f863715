-- Commission accruals and reversals are append-only like the ledger they post to.
CREATE TRIGGER commission_accruals_append_only BEFORE UPDATE OR DELETE ON commission_accruals
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER commission_reversals_append_only BEFORE UPDATE OR DELETE ON commission_reversals
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
--> statement-breakpoint
-- An agreement version is immutable: the only change allowed is ending it earlier (when the next
-- version starts), and versions are never deleted.
CREATE FUNCTION agreements_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'agreement versions cannot be deleted' USING ERRCODE = 'restrict_violation';
  END IF;
  IF (to_jsonb(NEW) - 'effective_to') IS DISTINCT FROM (to_jsonb(OLD) - 'effective_to')
     OR NEW.effective_to IS NULL
     OR (OLD.effective_to IS NOT NULL AND NEW.effective_to > OLD.effective_to) THEN
    RAISE EXCEPTION 'agreement % is immutable: only ending it earlier is allowed', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER agreements_immutable BEFORE UPDATE OR DELETE ON agreements
  FOR EACH ROW EXECUTE FUNCTION agreements_refuse_change();
