CREATE TABLE "channel_postback_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"postback_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"status_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_postbacks" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"kind" text NOT NULL,
	"source_id" text NOT NULL,
	"sub_id" text DEFAULT '' NOT NULL,
	"click_id" text DEFAULT '' NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_status_code" integer,
	"last_error" text,
	"last_duration_ms" integer,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_watermarks" (
	"id" text PRIMARY KEY NOT NULL,
	"through" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "channel_postback_attempts" ADD CONSTRAINT "channel_postback_attempts_postback_id_channel_postbacks_id_fk" FOREIGN KEY ("postback_id") REFERENCES "public"."channel_postbacks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_postbacks" ADD CONSTRAINT "channel_postbacks_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channel_postback_attempts_uq" ON "channel_postback_attempts" USING btree ("postback_id","attempt");--> statement-breakpoint
CREATE UNIQUE INDEX "channel_postbacks_event_uq" ON "channel_postbacks" USING btree ("channel_id","kind","source_id");--> statement-breakpoint
CREATE INDEX "channel_postbacks_due_idx" ON "channel_postbacks" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "channel_postbacks_channel_idx" ON "channel_postbacks" USING btree ("channel_id","created_at");