CREATE TABLE "institution_onboardings" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"legal_name" text NOT NULL,
	"short_name" text NOT NULL,
	"kind" text NOT NULL,
	"unified_code" text NOT NULL,
	"licence_type" text NOT NULL,
	"licence_number" text NOT NULL,
	"licence_expires_on" date NOT NULL,
	"licence_file_key" text NOT NULL,
	"licence_file_type" text NOT NULL,
	"contacts" jsonb NOT NULL,
	"admin_username" text NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"institution_id" text,
	"invite_token_enc" text,
	"reviewed_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "institution_onboardings_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "onboarding_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"onboarding_id" text NOT NULL,
	"author" text NOT NULL,
	"author_id" text,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staff_invitations" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"kind" text NOT NULL,
	"institution_id" text,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"role" text NOT NULL,
	"invited_by" text,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"account_id" text,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_invitations_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "staff_invitations_institution_check" CHECK (("staff_invitations"."kind" = 'institution') = ("staff_invitations"."institution_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "unified_code" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "licence_type" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "licence_number" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "licence_expires_on" date;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "licence_warned_for" date;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "licence_lapsed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "institution_onboardings" ADD CONSTRAINT "institution_onboardings_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "onboarding_messages" ADD CONSTRAINT "onboarding_messages_onboarding_id_institution_onboardings_id_fk" FOREIGN KEY ("onboarding_id") REFERENCES "public"."institution_onboardings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_invitations" ADD CONSTRAINT "staff_invitations_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_invitations" ADD CONSTRAINT "staff_invitations_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "institution_onboardings_status_idx" ON "institution_onboardings" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "institution_onboardings_open_code_uq" ON "institution_onboardings" USING btree ("unified_code") WHERE "institution_onboardings"."status" <> 'rejected';--> statement-breakpoint
CREATE INDEX "onboarding_messages_onboarding_idx" ON "onboarding_messages" USING btree ("onboarding_id","created_at");--> statement-breakpoint
CREATE INDEX "staff_invitations_institution_idx" ON "staff_invitations" USING btree ("institution_id");--> statement-breakpoint
CREATE UNIQUE INDEX "institutions_unified_code_uq" ON "institutions" USING btree ("unified_code");