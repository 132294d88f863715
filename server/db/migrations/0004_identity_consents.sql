CREATE TABLE "contact_blocks" (
	"account_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_blocks_account_id_institution_id_pk" PRIMARY KEY("account_id","institution_id")
);
--> statement-breakpoint
CREATE TABLE "contact_preferences" (
	"account_id" text PRIMARY KEY NOT NULL,
	"allow_sms" boolean DEFAULT true NOT NULL,
	"allow_call" boolean DEFAULT true NOT NULL,
	"allow_in_app" boolean DEFAULT true NOT NULL,
	"quiet_start" text DEFAULT '22:00' NOT NULL,
	"quiet_end" text DEFAULT '08:00' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consumer_identities" (
	"account_id" text PRIMARY KEY NOT NULL,
	"real_name_enc" text NOT NULL,
	"real_name_masked" text NOT NULL,
	"id_number_enc" text NOT NULL,
	"id_number_hash" text NOT NULL,
	"id_number_masked" text NOT NULL,
	"birth_date" text NOT NULL,
	"provider" text NOT NULL,
	"provider_ref" text,
	"verified_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consents" (
	"id" text PRIMARY KEY NOT NULL,
	"consumer_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"application_id" text,
	"purpose" text NOT NULL,
	"fields" text[] NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"withdrawn_at" timestamp with time zone,
	CONSTRAINT "consents_fields_check" CHECK (cardinality("consents"."fields") > 0)
);
--> statement-breakpoint
CREATE TABLE "data_releases" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"consent_id" text NOT NULL,
	"consumer_id" text NOT NULL,
	"institution_id" text NOT NULL,
	"application_id" text,
	"fields" text[] NOT NULL,
	"channel" text NOT NULL,
	"actor_id" text,
	"released_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "consumer_profiles" ADD COLUMN "housing" text;--> statement-breakpoint
ALTER TABLE "consumer_profiles" ADD COLUMN "monthly_debt_fen" bigint;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "consent_id" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "released_data_enc" text;--> statement-breakpoint
ALTER TABLE "contact_blocks" ADD CONSTRAINT "contact_blocks_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_preferences" ADD CONSTRAINT "contact_preferences_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consumer_identities" ADD CONSTRAINT "consumer_identities_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_consumer_id_accounts_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "data_releases" ADD CONSTRAINT "data_releases_consent_id_consents_id_fk" FOREIGN KEY ("consent_id") REFERENCES "public"."consents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "consumer_identities_id_number_uq" ON "consumer_identities" USING btree ("id_number_hash");--> statement-breakpoint
CREATE INDEX "consents_consumer_idx" ON "consents" USING btree ("consumer_id","granted_at");--> statement-breakpoint
CREATE INDEX "consents_application_idx" ON "consents" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "data_releases_consumer_idx" ON "data_releases" USING btree ("consumer_id","released_at");--> statement-breakpoint
CREATE INDEX "applications_duplicate_idx" ON "applications" USING btree ("consumer_id","product_id","created_at");