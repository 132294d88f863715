CREATE TABLE "agreement_acceptances" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"kind" text NOT NULL,
	"version" integer NOT NULL,
	"accepted_at" timestamp with time zone NOT NULL,
	"ip" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contract_evidence" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"contract_id" text NOT NULL,
	"signer_account_id" text NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"ip" text NOT NULL,
	"device_hash" text NOT NULL,
	"door" text NOT NULL,
	"document_sha256" text NOT NULL,
	"template_id" text NOT NULL,
	"template_version" integer NOT NULL,
	"sms_confirmed" boolean NOT NULL,
	"prev_chain_hash" text NOT NULL,
	"chain_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contract_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"institution_id" text,
	"scope" text NOT NULL,
	"version" integer NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"changes" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"review_note" text DEFAULT '' NOT NULL,
	"created_by" text,
	"reviewed_by" text,
	"approved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contracts" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"template_id" text NOT NULL,
	"template_version" integer NOT NULL,
	"institution_id" text,
	"consumer_id" text,
	"subject_id" text,
	"signer_account_id" text NOT NULL,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"storage_key" text NOT NULL,
	"signed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_acceptances_uq" ON "agreement_acceptances" USING btree ("account_id","kind","version");--> statement-breakpoint
CREATE UNIQUE INDEX "contract_evidence_contract_uq" ON "contract_evidence" USING btree ("contract_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contract_templates_version_uq" ON "contract_templates" USING btree ("kind","scope","version");--> statement-breakpoint
CREATE INDEX "contract_templates_status_idx" ON "contract_templates" USING btree ("status");--> statement-breakpoint
CREATE INDEX "contracts_consumer_idx" ON "contracts" USING btree ("consumer_id");--> statement-breakpoint
CREATE INDEX "contracts_institution_idx" ON "contracts" USING btree ("institution_id");