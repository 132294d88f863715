CREATE TABLE "risk_flags" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"code" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_signals" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"account_id" text NOT NULL,
	"application_id" text,
	"device_hash" text NOT NULL,
	"ip_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "risk_flags_account_idx" ON "risk_flags" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "risk_signals_device_idx" ON "risk_signals" USING btree ("device_hash");--> statement-breakpoint
CREATE INDEX "risk_signals_account_idx" ON "risk_signals" USING btree ("account_id","created_at");