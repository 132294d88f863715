CREATE TABLE "desk_party_streams" (
	"id" text PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "desk_conversations" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "desk_party_streams" ADD CONSTRAINT "desk_party_streams_conversation_id_desk_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."desk_conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "desk_party_streams_conversation_idx" ON "desk_party_streams" USING btree ("conversation_id","expires_at");