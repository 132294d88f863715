ALTER TABLE "catalogue_events" ADD COLUMN "channel" text DEFAULT 'web' NOT NULL;--> statement-breakpoint
CREATE INDEX "catalogue_events_created_idx" ON "catalogue_events" USING btree ("created_at","kind");--> statement-breakpoint
CREATE INDEX "application_events_status_idx" ON "application_events" USING btree ("to_status","created_at");--> statement-breakpoint
CREATE INDEX "applications_created_idx" ON "applications" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "applications_disbursed_idx" ON "applications" USING btree ("disbursed_at");--> statement-breakpoint
CREATE INDEX "ledger_journals_posted_idx" ON "ledger_journals" USING btree ("posted_at","kind");