ALTER TABLE "consents" ADD COLUMN "ip" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "consents" ADD COLUMN "device_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "consents" ADD COLUMN "door" text DEFAULT 'web' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_subject_uq" ON "contracts" USING btree ("kind","subject_id");