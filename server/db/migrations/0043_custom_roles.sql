CREATE TABLE "custom_roles" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"institution_id" text,
	"name" text NOT NULL,
	"permissions" text[] NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "custom_roles_institution_check" CHECK (("custom_roles"."kind" = 'institution') = ("custom_roles"."institution_id" is not null))
);
--> statement-breakpoint
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_role_check";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "custom_role_id" text;--> statement-breakpoint
ALTER TABLE "custom_roles" ADD CONSTRAINT "custom_roles_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "custom_roles_scope_name_uq" ON "custom_roles" USING btree ("kind",coalesce("institution_id", ''),"name");--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_custom_role_id_custom_roles_id_fk" FOREIGN KEY ("custom_role_id") REFERENCES "public"."custom_roles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "accounts_custom_role_idx" ON "accounts" USING btree ("custom_role_id");--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_custom_role_check" CHECK (("accounts"."role" = 'custom') = ("accounts"."custom_role_id" is not null));--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_role_check" CHECK (("accounts"."kind" = 'consumer' and "accounts"."role" = 'consumer')
        or ("accounts"."kind" = 'institution' and "accounts"."role" in ('admin','product_manager','lead_handler','finance','custom'))
        or ("accounts"."kind" = 'operator' and "accounts"."role" in ('super_admin','operations','product_reviewer','customer_service','risk_officer','finance','custom'))
        or ("accounts"."kind" = 'channel' and "accounts"."role" in ('channel_admin','channel_analyst')));