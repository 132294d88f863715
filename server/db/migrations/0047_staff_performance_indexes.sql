CREATE INDEX "application_events_actor_idx" ON "application_events" USING btree ("actor_id","created_at");--> statement-breakpoint
CREATE INDEX "contact_attempts_case_idx" ON "contact_attempts" USING btree ("case_id","attempted_at");--> statement-breakpoint
CREATE INDEX "promises_to_pay_case_idx" ON "promises_to_pay" USING btree ("case_id","created_at");