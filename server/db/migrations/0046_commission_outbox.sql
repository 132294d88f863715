CREATE TABLE "commission_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"rule" text NOT NULL,
	"institution_id" text NOT NULL,
	"application_id" text NOT NULL,
	"base_amount_fen" bigint,
	"event_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
