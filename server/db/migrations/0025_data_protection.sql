ALTER TABLE "statement_payments" ADD COLUMN "reference_key" text;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD COLUMN "overpayment_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "statement_payments" ADD COLUMN "overpayment_reason" text;--> statement-breakpoint
CREATE UNIQUE INDEX "statement_payments_reference_uq" ON "statement_payments" USING btree ("statement_id","reference_key");--> statement-breakpoint
ALTER TABLE "statement_payments" ADD CONSTRAINT "statement_payments_overpayment_check" CHECK ("statement_payments"."overpayment_fen" >= 0 and "statement_payments"."overpayment_fen" <= "statement_payments"."amount_fen" and ("statement_payments"."overpayment_fen" = 0) = ("statement_payments"."overpayment_reason" is null));--> statement-breakpoint
-- Hand-written (issue 13): every payment recorded from now on carries its reference key. Rows
-- recorded before keep NULL (statement_payments is append-only and is never rewritten), so the
-- check is NOT VALID: it holds for new rows and skips the old ones. Any duplicate references among
-- old rows stay as they were (NULLs never collide); the service compares new references with them.
ALTER TABLE "statement_payments" ADD CONSTRAINT "statement_payments_reference_key_check" CHECK ("reference_key" IS NOT NULL) NOT VALID;
