-- Every committed change to the listed catalogue's sources (products, institutions) tells every
-- instance at once: NOTIFY catalogue_changed is delivered at commit (never after a rollback), and
-- each instance's catalogue-listen ticker re-checks its read model and search index (see
-- server/modules/catalogue/catalogue.jobs.ts). One notification per statement, not per row.
CREATE OR REPLACE FUNCTION notify_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('catalogue_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER products_notify_catalogue_changed AFTER INSERT OR UPDATE OR DELETE ON products
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalogue_changed();
--> statement-breakpoint
CREATE TRIGGER institutions_notify_catalogue_changed AFTER INSERT OR UPDATE OR DELETE ON institutions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalogue_changed();
