ALTER TABLE "accounts" DROP CONSTRAINT "accounts_role_check";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "channel_id" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_channel_staff_check" CHECK (("accounts"."kind" = 'channel') = ("accounts"."channel_id" is not null));--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_role_check" CHECK (("accounts"."kind" = 'consumer' and "accounts"."role" = 'consumer')
        or ("accounts"."kind" = 'institution' and "accounts"."role" in ('admin','product_manager','lead_handler','finance'))
        or ("accounts"."kind" = 'operator' and "accounts"."role" in ('super_admin','operations','product_reviewer','customer_service','risk_officer','finance'))
        or ("accounts"."kind" = 'channel' and "accounts"."role" in ('channel_admin','channel_analyst')));