ALTER TABLE "outbox_messages" DROP CONSTRAINT "outbox_messages_status_check";--> statement-breakpoint
ALTER TABLE "statement_payments" ADD COLUMN "reference_key" text;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD COLUMN "overpayment_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD COLUMN "overpayment_reason" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "account_id" text;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
CREATE UNIQUE INDEX "statement_payments_reference_uq" ON "statement_payments" USING btree ("statement_id","reference_key");--> statement-breakpoint
CREATE INDEX "outbox_messages_held_idx" ON "outbox_messages" USING btree ("send_after","created_at") WHERE "outbox_messages"."status" = 'held';--> statement-breakpoint
ALTER TABLE "statement_payments" ADD CONSTRAINT "statement_payments_overpayment_check" CHECK ("statement_payments"."overpayment_fen" >= 0 and "statement_payments"."overpayment_fen" <= "statement_payments"."amount_fen" and ("statement_payments"."overpayment_fen" = 0) = ("statement_payments"."overpayment_reason" is null));--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_cancel_check" CHECK (("outbox_messages"."status" = 'cancelled') = ("outbox_messages"."cancel_reason" is not null));--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_status_check" CHECK ("outbox_messages"."status" in ('queued','held','sent','failed','cancelled'));--> statement-breakpoint
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
