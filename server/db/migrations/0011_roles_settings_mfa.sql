CREATE TABLE "system_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_role_check";--> statement-breakpoint
UPDATE "accounts" SET "role" = 'super_admin' WHERE "kind" = 'operator' AND "role" = 'admin';--> statement-breakpoint
UPDATE "accounts" SET "role" = 'operations' WHERE "kind" = 'operator' AND "role" = 'operator';--> statement-breakpoint
UPDATE "accounts" SET "role" = 'lead_handler' WHERE "kind" = 'institution' AND "role" = 'staff';--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "frozen_reason" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "totp_secret_enc" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "totp_enabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "totp_last_step" bigint;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_role_check" CHECK (("accounts"."kind" = 'consumer' and "accounts"."role" = 'consumer')
        or ("accounts"."kind" = 'institution' and "accounts"."role" in ('admin','product_manager','lead_handler','finance'))
        or ("accounts"."kind" = 'operator' and "accounts"."role" in ('super_admin','operations','product_reviewer','customer_service','risk_officer','finance')));--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'P0001';
END;
$$;--> statement-breakpoint
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log" FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
