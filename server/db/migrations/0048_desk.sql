CREATE TABLE "desk_canned_replies" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"group_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "desk_conversations" (
	"id" text PRIMARY KEY NOT NULL,
	"number" bigserial NOT NULL,
	"party_kind" text NOT NULL,
	"consumer_id" text,
	"visitor_key" text,
	"contact_enc" text,
	"contact_masked" text,
	"institution_id" text,
	"staff_id" text,
	"group_id" text NOT NULL,
	"status" text DEFAULT 'waiting' NOT NULL,
	"agent_id" text,
	"complaint_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"assigned_at" timestamp with time zone,
	"first_response_at" timestamp with time zone,
	"last_message_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"rating" integer,
	"rating_comment" text,
	"rated_at" timestamp with time zone,
	CONSTRAINT "desk_conversations_number_unique" UNIQUE("number"),
	CONSTRAINT "desk_conversations_rating_check" CHECK ("desk_conversations"."rating" is null or "desk_conversations"."rating" between 1 and 5),
	CONSTRAINT "desk_conversations_party_check" CHECK (("desk_conversations"."party_kind" = 'consumer' and "desk_conversations"."consumer_id" is not null) or ("desk_conversations"."party_kind" = 'visitor' and "desk_conversations"."visitor_key" is not null and "desk_conversations"."contact_enc" is not null) or ("desk_conversations"."party_kind" = 'institution' and "desk_conversations"."institution_id" is not null and "desk_conversations"."staff_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "desk_group_members" (
	"group_id" text NOT NULL,
	"agent_id" text NOT NULL,
	CONSTRAINT "desk_group_members_group_id_agent_id_pk" PRIMARY KEY("group_id","agent_id")
);
--> statement-breakpoint
CREATE TABLE "desk_groups" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"audience" text NOT NULL,
	"opens_at_minute" integer DEFAULT 540 NOT NULL,
	"closes_at_minute" integer DEFAULT 1260 NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"last_assigned_agent_id" text,
	CONSTRAINT "desk_groups_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "desk_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_id" text NOT NULL,
	"kind" text NOT NULL,
	"author_kind" text NOT NULL,
	"author_id" text,
	"body_enc" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "desk_shifts" (
	"id" text PRIMARY KEY NOT NULL,
	"group_id" text NOT NULL,
	"agent_id" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "desk_shifts_order_check" CHECK ("desk_shifts"."ends_at" > "desk_shifts"."starts_at")
);
--> statement-breakpoint
ALTER TABLE "desk_canned_replies" ADD CONSTRAINT "desk_canned_replies_group_id_desk_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."desk_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_conversations" ADD CONSTRAINT "desk_conversations_consumer_id_accounts_id_fk" FOREIGN KEY ("consumer_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_conversations" ADD CONSTRAINT "desk_conversations_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_conversations" ADD CONSTRAINT "desk_conversations_staff_id_accounts_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_conversations" ADD CONSTRAINT "desk_conversations_group_id_desk_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."desk_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_conversations" ADD CONSTRAINT "desk_conversations_agent_id_accounts_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_conversations" ADD CONSTRAINT "desk_conversations_complaint_id_complaints_id_fk" FOREIGN KEY ("complaint_id") REFERENCES "public"."complaints"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_group_members" ADD CONSTRAINT "desk_group_members_group_id_desk_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."desk_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_group_members" ADD CONSTRAINT "desk_group_members_agent_id_accounts_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_groups" ADD CONSTRAINT "desk_groups_last_assigned_agent_id_accounts_id_fk" FOREIGN KEY ("last_assigned_agent_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_messages" ADD CONSTRAINT "desk_messages_conversation_id_desk_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."desk_conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_shifts" ADD CONSTRAINT "desk_shifts_group_id_desk_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."desk_groups"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "desk_shifts" ADD CONSTRAINT "desk_shifts_agent_id_accounts_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "desk_conversations_queue_idx" ON "desk_conversations" USING btree ("group_id","status","created_at");--> statement-breakpoint
CREATE INDEX "desk_conversations_consumer_idx" ON "desk_conversations" USING btree ("consumer_id","created_at");--> statement-breakpoint
CREATE INDEX "desk_conversations_visitor_idx" ON "desk_conversations" USING btree ("visitor_key","created_at");--> statement-breakpoint
CREATE INDEX "desk_conversations_institution_idx" ON "desk_conversations" USING btree ("institution_id","created_at");--> statement-breakpoint
CREATE INDEX "desk_conversations_agent_idx" ON "desk_conversations" USING btree ("agent_id","created_at");--> statement-breakpoint
CREATE INDEX "desk_messages_conversation_idx" ON "desk_messages" USING btree ("conversation_id","id");--> statement-breakpoint
CREATE INDEX "desk_shifts_group_idx" ON "desk_shifts" USING btree ("group_id","starts_at");--> statement-breakpoint
-- hand-written:
-- the four skill groups the desk starts with (members, hours and roster are set by supervisors)
INSERT INTO "desk_groups" ("id", "name", "audience", "opens_at_minute", "closes_at_minute", "position") VALUES
  ('dg_loan', '借款咨询', 'borrower', 540, 1260, 1),
  ('dg_repay', '还款', 'borrower', 540, 1260, 2),
  ('dg_account', '账户与数据', 'borrower', 540, 1080, 3),
  ('dg_institution', '机构咨询', 'institution', 540, 1080, 4);
