CREATE TABLE "channel_attributions" (
	"account_id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"sub_id" text DEFAULT '' NOT NULL,
	"click_id" text DEFAULT '' NOT NULL,
	"touch_id" bigint,
	"touched_at" timestamp with time zone NOT NULL,
	"attributed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"device" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_links" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"sub_id" text DEFAULT '' NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"landing_headline" text DEFAULT '' NOT NULL,
	"landing_subline" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_touches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"visitor" text NOT NULL,
	"channel_id" text NOT NULL,
	"sub_id" text DEFAULT '' NOT NULL,
	"click_id" text DEFAULT '' NOT NULL,
	"landing_path" text DEFAULT '/' NOT NULL,
	"device" text DEFAULT '' NOT NULL,
	"touched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"contact_name" text DEFAULT '' NOT NULL,
	"contact_phone_enc" text,
	"contact_phone_masked" text DEFAULT '' NOT NULL,
	"contact_email" text DEFAULT '' NOT NULL,
	"settlement_account_name" text DEFAULT '' NOT NULL,
	"settlement_bank" text DEFAULT '' NOT NULL,
	"settlement_account_enc" text,
	"settlement_account_masked" text DEFAULT '' NOT NULL,
	"postback_url" text,
	"postback_secret_enc" text,
	"notes" text DEFAULT '' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "channel_attributions" ADD CONSTRAINT "channel_attributions_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_attributions" ADD CONSTRAINT "channel_attributions_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_links" ADD CONSTRAINT "channel_links_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_touches" ADD CONSTRAINT "channel_touches_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channel_attributions_channel_idx" ON "channel_attributions" USING btree ("channel_id","attributed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_links_sub_uq" ON "channel_links" USING btree ("channel_id","sub_id");--> statement-breakpoint
CREATE INDEX "channel_touches_visitor_idx" ON "channel_touches" USING btree ("visitor","touched_at");--> statement-breakpoint
CREATE INDEX "channel_touches_channel_idx" ON "channel_touches" USING btree ("channel_id","touched_at");--> statement-breakpoint
CREATE UNIQUE INDEX "channels_code_uq" ON "channels" USING btree ("code");