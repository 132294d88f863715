ALTER TABLE "outbox_messages" DROP CONSTRAINT "outbox_messages_status_check";--> statement-breakpoint
ALTER TABLE "accounts" ALTER COLUMN "display_name" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "staff_invitations" ALTER COLUMN "display_name" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "display_name_enc" text;--> statement-breakpoint
ALTER TABLE "staff_invitations" ADD COLUMN "display_name_enc" text;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD COLUMN "reference_key" text;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD COLUMN "overpayment_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD COLUMN "overpayment_reason" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "account_id" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
-- Hand-written (issue 13): the rows already there get their birth year from the birth date before
-- it is dropped below (the exact age now comes from the encrypted ID number).
ALTER TABLE "consumer_identities" ADD COLUMN "birth_year" integer;--> statement-breakpoint
UPDATE "consumer_identities" SET "birth_year" = substr("birth_date", 1, 4)::integer;--> statement-breakpoint
ALTER TABLE "consumer_identities" ALTER COLUMN "birth_year" SET NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "statement_payments_reference_uq" ON "statement_payments" USING btree ("statement_id","reference_key");--> statement-breakpoint
CREATE INDEX "outbox_messages_held_idx" ON "outbox_messages" USING btree ("send_after","created_at") WHERE "outbox_messages"."status" = 'held';--> statement-breakpoint
ALTER TABLE "consumer_identities" DROP COLUMN "birth_date";--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_display_name_check" CHECK (("accounts"."display_name_enc" is null) <> ("accounts"."display_name" is null));--> statement-breakpoint
ALTER TABLE "staff_invitations" ADD CONSTRAINT "staff_invitations_display_name_check" CHECK (("staff_invitations"."display_name_enc" is null) <> ("staff_invitations"."display_name" is null));--> statement-breakpoint
ALTER TABLE "statement_payments" ADD CONSTRAINT "statement_payments_overpayment_check" CHECK ("statement_payments"."overpayment_fen" >= 0 and "statement_payments"."overpayment_fen" <= "statement_payments"."amount_fen" and ("statement_payments"."overpayment_fen" = 0) = ("statement_payments"."overpayment_reason" is null));--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_cancel_check" CHECK (("outbox_messages"."status" = 'cancelled') = ("outbox_messages"."cancel_reason" is not null));--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_status_check" CHECK ("outbox_messages"."status" in ('queued','held','sent','failed','cancelled'));--> statement-breakpoint
-- Hand-written (issue 13): the masked ID number kept the region prefix (110***********1234); with the
-- birth date that left a few dozen candidates for the whole number. Keep only the last four.
UPDATE "consumer_identities" SET "id_number_masked" = repeat('*', greatest(length("id_number_masked") - 4, 0)) || right("id_number_masked", 4)
 WHERE left("id_number_masked", 1) <> '*';
--> statement-breakpoint
-- Hand-written (issue 13): one-time codes and activation links handed to a real gateway were kept
-- in clear in the outbox. Mask them in the rows already there (the development outbox, provider
-- 'outbox', is the delivery channel itself and keeps its bodies).
UPDATE "outbox_messages" SET "body" = regexp_replace("body", '\d{6}', '******', 'g')
 WHERE "provider" <> 'outbox' AND "template" LIKE 'otp.%';
--> statement-breakpoint
UPDATE "outbox_messages" SET "body" = regexp_replace("body", '/invite/[A-Za-z0-9_-]+', '/invite/******', 'g')
 WHERE "provider" <> 'outbox' AND "template" = 'onboarding_approved';
--> statement-breakpoint
-- Hand-written (issue 13): every payment recorded from now on carries its reference key. Rows
-- recorded before keep NULL (statement_payments is append-only and is never rewritten), so the
-- check is NOT VALID: it holds for new rows and skips the old ones. Any duplicate references among
-- old rows stay as they were (NULLs never collide); the service compares new references with them.
ALTER TABLE "statement_payments" ADD CONSTRAINT "statement_payments_reference_key_check" CHECK ("reference_key" IS NOT NULL) NOT VALID;
